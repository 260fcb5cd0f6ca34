import { describe, expect, it } from "vitest";
import { normalizePath } from "../../src/core/path-normal";

describe("normalizePath: the path as many origins route it", () => {
  it.each([
    ["/admin/", "/admin/"],
    ["/%61dmin/", "/admin/"],
    ["/ADMIN/", "/admin/"],
    ["//admin/", "/admin/"],
    ["/admin;/", "/admin/"],
    ["/admin;jsessionid=1/users", "/admin/users"],
    ["/a;x=1/b;y=2", "/a/b"],
    ["/%41DMIN%2Fusers", "/admin/users"],
    ["/admin%5Cusers", "/admin/users"],
    ["/public/..%2Fadmin/", "/admin/"],
    ["/./admin/./x", "/admin/x"],
    ["/admin/.", "/admin/"],
    ["/admin/x/..", "/admin/"],
    ["/../../admin", "/admin"],
    ["/", "/"],
    ["//", "/"],
    ["/caf%C3%A9", "/café"],
    ["/CAFÉ", "/café"],
  ])("%s -> %s", (raw, normal) => {
    expect(normalizePath(raw)).toBe(normal);
  });

  it("decodes once: a double-encoded escape stays an escape", () => {
    expect(normalizePath("/%2561dmin/")).toBe("/%61dmin/");
  });

  it("keeps an invalid escape as written and still decodes the valid ASCII ones", () => {
    expect(normalizePath("/%zz/%61%E9")).toBe("/%zz/a%e9");
  });
});
