/**
 * A Redis address as {@link parseRedisUrl} reads it.
 *
 * @example
 * const { host, port, display } = parseRedisUrl('redis://:pw@10.0.0.5:6379'); // display: 'redis://10.0.0.5:6379/0'
 */
export interface RedisAddress {
  /** Host name or IP address (an IPv6 address without its brackets). */
  host: string;
  /** TCP port, 6379 when the URL names none. */
  port: number;
  /** Database number, 0 when the URL names none. */
  db: number;
  /** ACL user name, when the URL names one (`redis://user:password@host`). */
  username?: string;
  /** Password, when the URL holds one. Never printed: use {@link RedisAddress.display}. */
  password?: string;
  /** True for `rediss://` (TLS). */
  tls: boolean;
  /** The URL without user name or password, for messages: `redis://host:port/db`. */
  display: string;
}

/**
 * `url` with whatever sits between `://` and `@` replaced by `***`, so that no message prints a password.
 *
 * @example
 * redactRedisUrl('redis://:s3cret@host:6379'); // 'redis://***@host:6379'
 */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1***@');
}

/**
 * Reads `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS): host, port (default
 * 6379), database (default 0), optional user name and password (percent-decoded). Throws a
 * TypeError naming the expected form and the URL with its credentials masked (`***`), never the
 * password itself.
 *
 * @example
 * parseRedisUrl('redis://:s3cret@10.0.0.5:6380/2');
 * // { host: '10.0.0.5', port: 6380, db: 2, password: 's3cret', tls: false, display: 'redis://10.0.0.5:6380/2' }
 */
export function parseRedisUrl(url: string): RedisAddress {
  const form = 'redis://[:password@]host:port[/db]';
  if (typeof url !== 'string') throw new TypeError(`parseRedisUrl: url must be a string of the form ${form}, got ${typeof url}`);
  const shown = redactRedisUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`parseRedisUrl: url must be of the form ${form}, got "${shown}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new TypeError(`parseRedisUrl: url must start with redis:// (or rediss:// for TLS), got "${shown}"`);
  if (u.search || u.hash) throw new TypeError(`parseRedisUrl: url takes no query or fragment (${form}), got "${shown}"`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new TypeError(`parseRedisUrl: url names no host (${form}), got "${shown}"`);
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`parseRedisUrl: port must be an integer in [1, 65535], got "${u.port}" in "${shown}"`);
  const path = u.pathname.replace(/^\/+/, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new TypeError(`parseRedisUrl: the path must be a database number (/0, /1, …), got "/${path}" in "${shown}"`);
  const db = path === '' ? 0 : Number(path);
  const tls = u.protocol === 'rediss:';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const address: RedisAddress = { host, port, db, tls, display: `${tls ? 'rediss' : 'redis'}://${hostPart}:${port}/${db}` };
  if (u.username) address.username = decodeURIComponent(u.username);
  if (u.password) address.password = decodeURIComponent(u.password);
  return address;
}
