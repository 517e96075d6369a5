/** SQL pieces over the comments' table for other features' statements (no imports), so that none of them names `comments`. */

/**
 * Erasure (libs/data-protection): the comments `userId` wrote (an SQL expression) keep their place
 * in their threads, their bodies "[erased]"; the reasons they gave for hiding comments too; mentions
 * of their address `email` in others' comments become "@[erased]". One statement: a row is changed once.
 */
export const COMMENTS_OF_ERASED = (userId: string, email: string) =>
  `UPDATE comments SET
     body = CASE WHEN author_user_id = ${userId} THEN '[erased]' ELSE replace(body, '@' || ${email}, '@[erased]') END,
     hidden_reason = CASE WHEN hidden_by_user_id = ${userId} THEN '[erased]' ELSE hidden_reason END
   WHERE author_user_id = ${userId} OR hidden_by_user_id = ${userId} OR strpos(body, '@' || ${email}) > 0`;
