import { inspect } from 'node:util';

export const SENSITIVE = '(sensitive)';

/**
 * Every secret value this process holds (tokens, keys, access tokens), so text that came from
 * outside (an Okta error body that echoes a header, say) can be scrubbed before it is shown.
 * Values shorter than MIN_SCRUBBED are not scrubbed: masking "abc" everywhere hides more than it protects.
 */
const held = new Set<string>();
const MIN_SCRUBBED = 4;

/** Remember a secret value the process obtained other than through a Secret (an OAuth access token). */
export function holdSecret(value: string): void {
  if (value.length < MIN_SCRUBBED) return;
  // The value as it may appear in text: itself, inside a JSON string (a PEM key's newlines
  // become \n), and percent- or form-encoded in a URL's path or query that echoes it.
  for (const form of [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
  ]) {
    held.add(form);
  }
}

/** `text` with every held secret replaced by "(sensitive)". */
export function scrubSecrets(text: string): string {
  let out = text;
  // Longest first: one form may contain another (a key inside its own JSON-escaped form).
  for (const value of [...held].sort((a, b) => b.length - a.length)) if (out.includes(value)) out = out.split(value).join(SENSITIVE);
  return out;
}

/**
 * A sensitive value read from an environment variable. It refuses to be printed:
 * String(), JSON.stringify() and util.inspect() all give "(sensitive)". Only `reveal()`
 * hands out the value, and only code that sends it to Okta may call it.
 */
export class Secret {
  readonly #value: string | undefined;

  constructor(
    /** Name of the environment variable the value comes from (not sensitive). */
    readonly envVar: string,
    value: string | undefined,
  ) {
    this.#value = value;
    if (value) holdSecret(value);
  }

  get isSet(): boolean {
    return this.#value !== undefined && this.#value !== '';
  }

  /** The value; throws when the variable was unset (callers check `isSet` or validate first). */
  reveal(): string {
    if (this.#value === undefined || this.#value === '') {
      throw new Error(`environment variable ${this.envVar} is not set`);
    }
    return this.#value;
  }

  toString(): string {
    return SENSITIVE;
  }

  toJSON(): string {
    return SENSITIVE;
  }

  [inspect.custom](): string {
    return SENSITIVE;
  }
}

/** How org2org authenticates to one org's management API. */
export type OrgAuth =
  | { kind: 'token'; token: Secret }
  | {
      kind: 'oauth';
      clientId: string;
      /** PEM or JWK (JSON) private key of the service app. */
      privateKey: Secret;
      /** `kid` of the key, when the service app has several. */
      keyId?: string;
      scopes: string[];
      /**
       * DPoP-bound access tokens (RFC 9449): true sends a proof from the start; absent, org2org
       * switches to DPoP when Okta's token endpoint answers `invalid_dpop_proof`.
       */
      dpop?: boolean;
    };
