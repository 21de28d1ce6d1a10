import { describe, expect, it } from "vitest";
import { API_KEY_SCOPE_GROUPS } from "@/lib/api-keys/scopes";
import { API_KEY_SCOPES } from "@/lib/auth/permissions";

describe("API key scopes on the create-key form", () => {
  it("offers every scope a key may carry exactly once, each with what it allows", () => {
    const offered = API_KEY_SCOPE_GROUPS.flatMap((g) => g.scopes.map((s) => s.scope));
    expect([...offered].sort()).toEqual([...API_KEY_SCOPES].sort());
    for (const g of API_KEY_SCOPE_GROUPS) for (const s of g.scopes) expect(s.allows.length).toBeGreaterThan(10);
  });
});
