import os from "node:os";
import { describe, expect, it } from "vitest";

describe("npm run dev", () => {
  it("serves its scripts when opened at 127.0.0.1 or at the network address it prints", async () => {
    // @ts-expect-error next.config.mjs is plain JavaScript without declarations
    const { default: config } = (await import("../../next.config.mjs")) as { default: { allowedDevOrigins: string[] } };
    const network = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === "IPv4")
      .map((i) => i!.address);
    expect(config.allowedDevOrigins).toEqual(expect.arrayContaining(["127.0.0.1", "localhost", ...network]));
  });
});
