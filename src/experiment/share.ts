/**
 * Share links: an experiment config in the URL fragment, versioned and validated on load.
 *
 *   <page>#experiment=1.<base64url of the UTF-8 JSON config>
 *
 * The fragment never reaches a server. `1.` is the link format version (not the config's own
 * `version`, which parseExperiment migrates). A tampered or truncated link yields an error that
 * says what is wrong, never an exception: the page then shows the error and the default experiment.
 */
import { ConfigError } from '../util/validate';
import { parseExperiment, type ExperimentConfig } from './config';

/** The fragment key of a share link. */
export const SHARE_KEY = 'experiment';
/** The link format this code writes and reads. */
export const SHARE_VERSION = 1;
/** Longest fragment accepted (a config is a few kB; browsers cope with far more, people do not). */
export const MAX_SHARE_CHARS = 64_000;

/** base64url (RFC 4648 §5, no padding) of UTF-8 text. */
function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** UTF-8 text of base64url; throws on bad characters or bytes. */
function fromBase64Url(data: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(data)) throw new Error('has characters that base64url does not use');
  const binary = atob(data.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (data.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** The URL fragment (with its '#') that shares `config` (a config document, validated first). */
export function shareHash(config: unknown): string {
  const validated = parseExperiment(config); // a link always holds a valid, complete config
  return `#${SHARE_KEY}=${SHARE_VERSION}.${toBase64Url(JSON.stringify(validated))}`;
}

/** What a URL fragment holds: nothing to share, a valid config, or an error naming what is wrong. */
export type SharedExperiment = { kind: 'none' } | { kind: 'config'; config: ExperimentConfig } | { kind: 'error'; message: string };

/** Reads a share link's fragment (`location.hash`, with or without '#'). Never throws. */
export function readShareHash(hash: string): SharedExperiment {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  const params = new URLSearchParams(fragment);
  const value = params.get(SHARE_KEY);
  if (value === null) return { kind: 'none' };
  const fail = (why: string): SharedExperiment => ({ kind: 'error', message: `This share link is damaged: ${why}. The default experiment is shown instead.` });
  if (value.length > MAX_SHARE_CHARS) return fail(`it is ${value.length} characters long, over the ${MAX_SHARE_CHARS} a link may hold`);
  const dot = value.indexOf('.');
  const version = Number(dot < 0 ? NaN : value.slice(0, dot));
  if (!Number.isInteger(version) || version < 1) return fail('it does not start with a link version ("1.")');
  if (version > SHARE_VERSION) return fail(`its format ${version} is newer than this LR Lab reads (${SHARE_VERSION}); update the page`);
  let json: unknown;
  try {
    json = JSON.parse(fromBase64Url(value.slice(dot + 1)));
  } catch (error) {
    return fail(`its data ${(error as Error).message.replace(/^Unexpected/, 'has unexpected')} (was it cut short?)`);
  }
  try {
    return { kind: 'config', config: parseExperiment(json) };
  } catch (error) {
    if (error instanceof ConfigError) return fail(`its config is invalid: ${error.issues.join('; ')}`);
    return fail((error as Error).message);
  }
}
