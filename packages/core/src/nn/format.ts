/** Indents the continuation lines of a nested module description. */
export function indent(text: string): string {
  return text.split('\n').join('\n  ');
}
