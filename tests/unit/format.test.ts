import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatDate, formatDateTime, plural } from "@/lib/format";

describe("console formats", () => {
  it("sizes read as B, KB and MB", () => {
    expect(formatBytes(9)).toBe("9 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(26 * 1024 * 1024 + 600_000)).toBe("26.6 MB");
    expect(formatBytes(25 * 1024 * 1024)).toBe("25 MB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5 GB");
  });

  it("counts carry thousands separators and nouns agree with them", () => {
    expect(formatCount(605010)).toBe("605,010");
    expect(plural(1, "sync")).toBe("1 sync");
    expect(plural(0, "sync")).toBe("0 syncs");
    expect(plural(1204, "entry", "entries")).toBe("1,204 entries");
  });

  it("one date and time format, in UTC, with a dash for none", () => {
    expect(formatDateTime("2026-11-30T08:12:32Z")).toBe("30 Nov 2026, 08:12:32");
    expect(formatDate(new Date("2026-11-30T23:59:59Z"))).toBe("30 Nov 2026");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a date")).toBe("—");
  });
});

describe("validation messages", () => {
  it("read as sentences that name the field, and report every invalid field at once", async () => {
    const { z } = await import("zod");
    const { validationError } = await import("@/lib/validation");
    const schema = z
      .object({
        name: z.string().min(2, "must be at least 2 characters"),
        from: z.string(),
        to: z.string(),
        dropThresholdPercent: z.number().max(100, "must be at most 100"),
      })
      .refine((v) => v.to >= v.from, { path: ["to"], message: "must not be before the start date" });
    const result = schema.safeParse({ name: "H", from: "2026-02-01", to: "2026-01-01", dropThresholdPercent: 120 });
    const error = validationError(result.error!);
    expect(error.message).toBe(
      "3 problems: Name must be at least 2 characters. Drop threshold must be at most 100. End date must not be before the start date.",
    );
    const dates = validationError({ to: ["must not be before the start date"] });
    expect(dates.message).toBe("End date must not be before the start date.");
    expect(dates.fieldErrors).toEqual({ to: ["must not be before the start date"] });
    // A message that already names its subject is kept as written.
    expect(validationError({ uploadIds: ['"a.exe" is not an accepted file type'] }).message).toBe('"a.exe" is not an accepted file type.');
  });
});
