/** The slice of `fetch` the SQL source and the webhook use; tests and the simulation inject their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;
