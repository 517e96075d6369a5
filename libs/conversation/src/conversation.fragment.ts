/** SQL pieces over the comments' table for other features' statements (no imports), so that none of them names `comments`. */

/**
 * Erasure (libs/data-protection): the comments `userId` wrote (an SQL expression) keep their place
 * in their threads, their bodies "[erased]"; mentions of their address `email` in others' comments
 * become "@[erased]".
 */
export const COMMENTS_OF_ERASED = (userId: string, email: string) =>
  `WITH own AS (UPDATE comments SET body = '[erased]' WHERE author_user_id = ${userId} RETURNING 1),
   mentioned AS (UPDATE comments SET body = replace(body, '@' || ${email}, '@[erased]') WHERE author_user_id <> ${userId} AND strpos(lower(body), '@' || lower(${email})) > 0 RETURNING 1)
   SELECT (SELECT count(*) FROM own)::int + (SELECT count(*) FROM mentioned)::int AS n`;
