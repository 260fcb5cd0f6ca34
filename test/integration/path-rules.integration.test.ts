import { describe, expect, it } from "vitest";
import { parseEcho } from "../support/echo";
import { putRollout, rolloutDoc, router } from "../support/harness";

// Path rules through the router, on the paths workerd's URL parser hands over.
describe("path rules on the parsed path", () => {
  const spellings = ["/%61dmin/", "/ADMIN/", "//admin/", "/admin;/", "/admin;jsessionid=7/users"];

  async function cohortOf(host: string, path: string): Promise<string | null> {
    const { response } = await router().send(`http://${host}${path}`);
    return response.headers.get("X-Gray-Cohort");
  }

  it("keeps every spelling of /admin/ out of the canary with normalize: true", async () => {
    await putRollout(
      "path-normal.test",
      rolloutDoc(100, {
        rules: [
          {
            name: "admin-stays",
            match: { path: { prefix: "/admin/", normalize: true } },
            exclude: true,
          },
        ],
      }),
    );
    for (const path of spellings) {
      expect(await cohortOf("path-normal.test", path), path).toBe("stable");
    }
    expect(await cohortOf("path-normal.test", "/shop/")).toBe("canary");
  });

  it("without normalize, compares the path exactly as parsed (as documented)", async () => {
    await putRollout(
      "path-raw.test",
      rolloutDoc(100, {
        rules: [{ name: "admin-stays", match: { path: { prefix: "/admin/" } }, exclude: true }],
      }),
    );
    expect(await cohortOf("path-raw.test", "/admin/users")).toBe("stable");
    for (const path of spellings) {
      expect(await cohortOf("path-raw.test", path), path).toBe("canary");
    }
  });

  it("forwards the path as sent, whatever form the rule compared", async () => {
    await putRollout(
      "path-forward.test",
      rolloutDoc(100, {
        rules: [
          { name: "admin", match: { path: { prefix: "/admin/", normalize: true } }, exclude: true },
        ],
      }),
    );
    const { body } = await router().send("http://path-forward.test/%61dmin;x=1/");
    expect(parseEcho(body).url).toBe("/%61dmin;x=1/");
  });
});
