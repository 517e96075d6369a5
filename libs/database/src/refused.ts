/**
 * Whether PostgreSQL refused a statement for the data it carried: a data exception (class 22: a
 * text it cannot store, a value out of range) or an integrity constraint (class 23). It answered
 * with the error, so the statement (its own transaction, or the caller's) wrote nothing; a
 * connection lost on the way proves no such thing and is not one.
 */
export function refusedForItsData(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown; driverError?: { code?: unknown; severity?: unknown } } | null;
  const server = e?.driverError ?? e;
  // `severity` is the server's (node-postgres's DatabaseError); Node's own errors have a `code` too.
  return typeof server?.severity === 'string' && typeof server.code === 'string' && /^2[23][0-9A-Z]{3}$/.test(server.code);
}
