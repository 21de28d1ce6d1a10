import { describe, expect, it } from "vitest";
import { QUOTED_TEXT_MAX, scrubSecrets, shownText } from "@/lib/connectors/types";

describe("text a remote server chose, as connector errors quote it", () => {
  it("drops control and bidirectional characters and collapses whitespace", () => {
    expect(shownText("Invalid\u202e credentials\r\n\u0000for\u2066 cn=admin\u2069")).toBe("Invalid credentials for cn=admin");
  });

  it("is capped, so a server cannot fill the message (or the Sync Log) with its answer", () => {
    const long = shownText("y".repeat(10_000));
    expect(long.length).toBe(QUOTED_TEXT_MAX);
    expect(long.endsWith("…")).toBe(true);
    expect(shownText("short")).toBe("short");
  });

  it("scrubs a secret before capping, so a cut never leaves half of it", () => {
    const secret = "s3cret-bind-password";
    const message = `${"a".repeat(390)} ${secret}`;
    expect(shownText(scrubSecrets(message, [secret]), 400)).not.toContain("s3cret");
  });
});
