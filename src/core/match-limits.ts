/**
 * Header, cookie and path values longer than this never match `equals`,
 * `prefix` or `regex` (only `present`): it bounds the work per request.
 */
export const MAX_MATCH_INPUT = 8192;

/**
 * Values longer than this never match a `regex` or `glob`: regex matching is
 * linear but costs program size x input length (see src/core/regex/ast.ts).
 */
export const MAX_REGEX_INPUT = 2048;
