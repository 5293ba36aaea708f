import { inspect } from 'node:util';

export const SENSITIVE = '(sensitive)';

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
