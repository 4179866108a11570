/** A malformed line of a bAbI file; the message names the file and the line. */
export class BabiFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    why: string,
  ) {
    super(`${file}:${line}: ${why}`);
    this.name = 'BabiFormatError';
  }
}
