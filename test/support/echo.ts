import * as v from "valibot";

/** What the test origin's echo endpoint reports about the request it received. */
const EchoSchema = v.object({
  origin: v.string(),
  method: v.string(),
  url: v.string(),
  headers: v.record(v.string(), v.union([v.string(), v.array(v.string())])),
  bodyLength: v.number(),
  bodySha256: v.string(),
});

export type Echo = v.InferOutput<typeof EchoSchema>;

/** Parses an echo body; throws (failing the test) if it is not one. */
export function parseEcho(text: string): Echo {
  return v.parse(EchoSchema, JSON.parse(text));
}
