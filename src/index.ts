export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const v = await env.ROLLOUTS.get("default");
    const origin = new URL(request.url).searchParams.get("o") ?? "";
    const r = await fetch(origin);
    return new Response(`kv=${v} origin=${await r.text()}`);
  },
} satisfies ExportedHandler<Env>;
