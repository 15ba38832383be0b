import { readFile } from 'node:fs/promises';
import { isTidelogError, TidelogError } from '../common/index.js';
import { BROKER_CONFIG_DEFINITIONS, isBrokerConfigName, resolveBrokerConfig, type BrokerConfig, type BrokerConfigName } from './broker-config.js';
import { parseConfigValue } from './config-value.js';

/**
 * Kafka's `server.properties`, read as Java reads a .properties file: `key=value`,
 * `key: value` or `key value`; `#` and `!` start comment lines; a line ending in an odd
 * number of backslashes continues on the next; `\t \n \r \f \uXXXX` escapes, any other
 * `\x` is `x`. Keys and values are trimmed; a repeated key keeps its last value.
 */
export function parseServerProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);
    const { key, value } = splitEntry(line);
    out.set(unescape(key, lineNumber), unescape(value, lineNumber).trim());
  }
  return out;
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** The key ends at the first unescaped `=`, `:` or whitespace; one `=` or `:` may follow the whitespace. */
function splitEntry(line: string): { key: string; value: string } {
  let end = 0;
  while (end < line.length) {
    const c = line[end]!;
    if (c === '\\') end += 2;
    else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    else end++;
  }
  end = Math.min(end, line.length);
  let rest = line.slice(end).replace(/^[ \t\f]+/, '');
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]+/, '');
  return { key: line.slice(0, end), value: rest };
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(text: string, lineNumber: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[++i]!;
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new TidelogError('INVALID_CONFIG', `malformed \\u escape on line ${lineNumber}`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return out;
}

export interface LoadBrokerConfigOptions {
  /** A server.properties file; none means defaults and overrides only. */
  file?: string | null;
  /** Settings that win over the file, such as command-line flags. Unknown names throw. */
  overrides?: Readonly<Record<string, string>>;
}

export interface LoadedBrokerConfig {
  config: BrokerConfig;
  /**
   * Keys in the file that Tidelog does not know (`listeners`, `zookeeper.connect`, ...),
   * ignored so that a Kafka server.properties still loads; the caller should warn.
   */
  unknownKeys: string[];
}

/**
 * Kafka's defaults < server.properties < `overrides`. Unknown keys in the file are
 * reported and ignored, as Kafka does; unknown overrides and bad values throw
 * INVALID_CONFIG naming the key (and the file, when the value came from it).
 */
export async function loadBrokerConfig(options: LoadBrokerConfigOptions = {}): Promise<LoadedBrokerConfig> {
  const fromFile = new Map<string, string>();
  const unknownKeys: string[] = [];
  if (options.file) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (cause) {
      throw new TidelogError('INVALID_CONFIG', `cannot read ${options.file}: ${(cause as Error).message}`, { cause });
    }
    let parsed: Map<string, string>;
    try {
      parsed = parseServerProperties(text);
    } catch (error) {
      throw inFile(error, options.file);
    }
    for (const [key, value] of parsed) {
      if (isBrokerConfigName(key)) fromFile.set(key, value);
      else unknownKeys.push(key);
    }
  }
  const overrides = options.overrides ?? {};
  for (const key of Object.keys(overrides)) {
    if (!isBrokerConfigName(key)) throw new TidelogError('INVALID_CONFIG', `unknown broker config ${key}`);
  }
  for (const [key, value] of fromFile) {
    // A bad value is easier to fix when the message names the file it came from.
    if (Object.hasOwn(overrides, key)) continue;
    try {
      parseConfigValue(key, BROKER_CONFIG_DEFINITIONS[key as BrokerConfigName], value);
    } catch (error) {
      throw inFile(error, options.file!);
    }
  }
  return { config: resolveBrokerConfig({ ...Object.fromEntries(fromFile), ...overrides }), unknownKeys };
}

function inFile(error: unknown, file: string): unknown {
  if (!isTidelogError(error)) return error;
  return new TidelogError(error.code, `${error.message} (in ${file})`, { cause: error });
}
