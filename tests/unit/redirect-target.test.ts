import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "@/lib/auth/redirect-target";

const ORIGIN = "http://127.0.0.1:3000";

describe("sign-in redirect targets", () => {
  it.each([
    ["/\\evil.example", "a backslash, which browsers read as a slash"],
    ["/\t/evil", "a tab, which URL parsing drops"],
    ["/\n/evil", "a newline"],
    ["/\u0000", "a NUL byte"],
    ["\\\\evil.example", "two backslashes"],
    ["/%5Cevil.example", "an encoded backslash"],
    ["/%09/evil", "an encoded tab"],
    ["//evil.example", "a scheme-relative URL"],
    ["/.//evil.example", "a path that resolves to //evil.example"],
    ["https://evil.example/", "another origin"],
    ["http://127.0.0.1:3001/", "another port"],
    ["https://127.0.0.1:3000/", "another scheme"],
    ["javascript:alert(1)", "a script URL"],
    ["data:text/html,hi", "a data URL"],
    ["", "nothing"],
  ])("refuses %j (%s) and falls back to /", (target) => {
    expect(safeRedirectPath(target, ORIGIN)).toBe("/");
  });

  it("refuses values that are not strings", () => {
    expect(safeRedirectPath(undefined, ORIGIN)).toBe("/");
    expect(safeRedirectPath(["/a", "/b"], ORIGIN)).toBe("/");
  });

  it("keeps same-origin paths with their query and fragment", () => {
    expect(safeRedirectPath("/admin/audit-log", ORIGIN)).toBe("/admin/audit-log");
    expect(safeRedirectPath("/syncs/1?tab=log&q=a%20b#top", ORIGIN)).toBe("/syncs/1?tab=log&q=a%20b#top");
    expect(safeRedirectPath("/a/../integrations", ORIGIN)).toBe("/integrations");
  });

  it("turns an absolute URL of the app's own origin into its path", () => {
    expect(safeRedirectPath(`${ORIGIN}/admin/members?x=1`, ORIGIN)).toBe("/admin/members?x=1");
  });
});
