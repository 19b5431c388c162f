/** Secrets a command was given, kept out of everything it prints and out of the process title. */

/** The secrets of one command; {@link Secrets.redact} replaces each with ***. */
export interface Secrets {
  /** Remembers a secret (a password, a key's passphrase) so that no output shows it. */
  add(secret: string): void;
  /** The text with every remembered secret, and the password of any URL in it, as ***. */
  redact(text: string): string;
}

/** A fresh set of secrets. */
export function createSecrets(): Secrets {
  const known = new Set<string>();
  return {
    add: (secret) => {
      // Too short a "secret" would star out ordinary words; such a password has bigger problems.
      if (secret.length >= 4) known.add(secret);
      if (secret.length >= 4 && encodeURIComponent(secret) !== secret) known.add(encodeURIComponent(secret));
    },
    redact: (text) => {
      let out = redactUrlPasswords(text);
      for (const secret of [...known].sort((a, b) => b.length - a.length)) out = out.replaceAll(secret, '***');
      return out;
    },
  };
}

/**
 * `scheme://user:password@host` as `scheme://user:***@host`, also in URLs too malformed to parse
 * (the password runs from the first ':' after the user to the last '@' before the host).
 */
export function redactUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/*)([^\s/:@]*):([^\s]*)@/gi, (whole, scheme: string, user: string, secret: string) =>
    secret === '' || secret === '***' ? whole : `${scheme}${user}:***@`,
  );
}

/** Properties of `-X` whose values are secrets; mirrors the Kafka layer's rule for the command line. */
const SECRET_ASSIGNMENT = /^(-X\s*)?([\w.]*(?:password|secret|passphrase|jaas|key\.pem|keystore\.[\w.]*|oauthbearer\.config)[\w.]*)=(.*)$/i;

/** The command line as `ps` may show it: URL passwords and secret `-X` values as ***. */
export function redactedCommandLine(args: readonly string[]): string {
  return args.map((arg) => {
    const assignment = SECRET_ASSIGNMENT.exec(arg);
    // One argument is one value: its password runs to the last '@', spaces and all.
    return assignment !== null ? `${assignment[1] ?? ''}${assignment[2]}=***` : arg.replace(/([a-z][a-z0-9+.-]*:\/*)([^\s/:@]*):(.*)@/i, (whole, scheme: string, user: string, secret: string) => (secret === '' ? whole : `${scheme}${user}:***@`));
  }).join(' ');
}
