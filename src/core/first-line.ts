/** The first line of an error's message (or of the value thrown): what a one-line report shows. */
export function firstLineOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
