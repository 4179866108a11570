/**
 * Formats a number as Lua's `tostring` does (C `%.14g`), so descriptions read as in Torch7:
 * `1e-06`, `0.5`, `0`, `1e+20`.
 */
export function luaNumber(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, exp] = x.toExponential(13).split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 14) {
    const m = stripZeros(mantissa);
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return stripZeros(x.toFixed(13 - e));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * Torch7's description of a branching container (`nn.Concat`, `nn.Parallel`): every child hangs
 * off the input, and their outputs meet at the output.
 *
 * ```
 * nn.Concat {
 *   input
 *     |`-> (1): nn.Linear(10 -> 3)
 *      `-> (2): nn.Linear(10 -> 5)
 *      ... -> output
 * }
 * ```
 */
export function branchTree(typeName: string, children: readonly { toString(): string }[]): string {
  const lines = [`${typeName} {`, '  input'];
  children.forEach((m, i) => {
    const last = i === children.length - 1;
    const text = m.toString().split('\n').join(last ? '\n         ' : '\n    |    ');
    lines.push(`${last ? '     `-> ' : '    |`-> '}(${i + 1}): ${text}`);
  });
  lines.push('     ... -> output', '}');
  return lines.join('\n');
}
