import { describe, it, expect } from "vitest";
import { cookieValues, serializeCookie } from "../../src/core/cookie";

describe("cookieValues", () => {
  it("returns nothing for a missing header", () => {
    expect(cookieValues(null, "gray_vid")).toEqual([]);
  });

  it("returns nothing for an empty header", () => {
    expect(cookieValues("", "gray_vid")).toEqual([]);
  });

  it("finds the cookie among several, with spaces around the separators", () => {
    expect(cookieValues("a=1;  gray_vid=abc ;b=2", "gray_vid")).toEqual(["abc"]);
  });

  it("returns every copy of the cookie in the order sent", () => {
    expect(cookieValues("gray_vid=first; other=x; gray_vid=second", "gray_vid")).toEqual([
      "first",
      "second",
    ]);
  });

  it("ignores a cookie whose name only ends with the name", () => {
    expect(cookieValues("xgray_vid=abc", "gray_vid")).toEqual([]);
  });

  it("ignores a cookie whose name only starts with the name", () => {
    expect(cookieValues("gray_vid2=abc", "gray_vid")).toEqual([]);
  });

  it("compares names case-sensitively", () => {
    expect(cookieValues("GRAY_VID=abc", "gray_vid")).toEqual([]);
  });

  it("skips pairs without an equals sign", () => {
    expect(cookieValues("gray_vid; gray_vid=abc", "gray_vid")).toEqual(["abc"]);
  });

  it("keeps everything after the first equals sign in the value", () => {
    expect(cookieValues("gray_vid=a=b", "gray_vid")).toEqual(["a=b"]);
  });

  it("returns an empty value as an empty string", () => {
    expect(cookieValues("gray_vid=", "gray_vid")).toEqual([""]);
  });
});

describe("serializeCookie", () => {
  const attrs = {
    maxAgeSeconds: 3_600,
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
  } as const;

  it("writes name=value first", () => {
    expect(serializeCookie("gray_vid", "v", attrs).startsWith("gray_vid=v; ")).toBe(true);
  });

  it("writes every attribute", () => {
    expect(serializeCookie("gray_vid", "v", attrs)).toBe(
      "gray_vid=v; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax",
    );
  });

  it("leaves out Secure and HttpOnly when not asked for", () => {
    const header = serializeCookie("n", "v", {
      ...attrs,
      secure: false,
      httpOnly: false,
      sameSite: "Strict",
    });
    expect(header).toBe("n=v; Max-Age=3600; Path=/; SameSite=Strict");
  });

  it("round-trips through cookieValues", () => {
    const header = serializeCookie("gray_vid", "1.abc.x", attrs);
    const pair = header.split("; ")[0] ?? "";
    expect(cookieValues(pair, "gray_vid")).toEqual(["1.abc.x"]);
  });
});
