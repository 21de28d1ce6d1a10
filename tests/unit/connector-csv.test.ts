/** The CSV connector against in-memory "uploads": good rows, bad rows with line numbers, non-CSV refused, header mapping. */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { applyMapping, mappingConfigSchema } from "@/lib/connectors/canonical";
import { csvConnector, sniffCsv, testCsvFiles, type CsvConfig } from "@/lib/connectors/csv";
import { ConnectorError, type ExtractOptions, type ExtractPage, type ExtractResult } from "@/lib/connectors/types";

type Body = string | Buffer | (string | Buffer)[];

/** An object store of fixed bodies; chunks given as an array arrive as separate stream chunks. */
function uploads(files: Record<string, Body>) {
  const opened: string[] = [];
  return {
    opened,
    openObject: async (key: string) => {
      const body = files[key];
      if (body === undefined) throw new Error(`No object stored under "${key}"`);
      opened.push(key);
      const chunks = (Array.isArray(body) ? body : [body]).map((c) => (typeof c === "string" ? Buffer.from(c) : c));
      return Readable.from(chunks);
    },
  };
}

async function extractAll(config: CsvConfig, files: Record<string, Body>, opts: Partial<ExtractOptions> = {}) {
  const { openObject } = uploads(files);
  const gen = csvConnector.extract(csvConnector.configSchema.parse(config), {
    objectTypes: csvConnector.capabilities.objectTypes,
    cursors: null,
    openObject,
    ...opts,
  });
  const pages: ExtractPage[] = [];
  let next = await gen.next();
  while (!next.done) {
    pages.push(next.value);
    next = await gen.next();
  }
  return { pages, result: next.value as ExtractResult };
}

const ACCOUNTS = [
  "externalId,username,email,displayName,status,department",
  "u1,alice,alice@example.test,Alice Liddell,active,Engineering",
  'u2,bob,bob@example.test,"Bob, the Builder",disabled,Operations',
  "u3,carol,carol@example.test,Carol,enabled,",
].join("\n");

describe("CSV connector: extract", () => {
  it("streams good rows as records, one object type per file", async () => {
    const { pages, result } = await extractAll(
      { files: { accounts: "up/accounts.csv", groups: "up/groups.csv", memberships: "up/members.csv" } },
      {
        "up/accounts.csv": ACCOUNTS,
        "up/groups.csv": "externalId,name,description\ng1,Admins,People who administer\ng2,Staff,\n",
        "up/members.csv": "groupExternalId,memberExternalId\r\ng1,u1\r\ng1,u2\r\ng2,u3\r\n",
      },
    );
    expect(result).toEqual({ cursors: {}, mode: "full" });
    const accounts = pages.filter((p) => p.objectType === "account").flatMap((p) => p.records);
    expect(accounts.map((r) => r.externalId)).toEqual(["u1", "u2", "u3"]);
    expect(accounts[1].attributes).toMatchObject({ username: "bob", displayName: "Bob, the Builder", status: "disabled" });
    expect(pages.find((p) => p.objectType === "group")?.records.map((r) => r.attributes.name)).toEqual(["Admins", "Staff"]);
    const memberships = pages.filter((p) => p.objectType === "membership").flatMap((p) => p.records);
    expect(memberships).toEqual([
      { objectType: "membership", externalId: "g1|u1", attributes: { groupExternalId: "g1", memberExternalId: "u1" } },
      { objectType: "membership", externalId: "g1|u2", attributes: { groupExternalId: "g1", memberExternalId: "u2" } },
      { objectType: "membership", externalId: "g2|u3", attributes: { groupExternalId: "g2", memberExternalId: "u3" } },
    ]);
    expect(pages.every((p) => !p.rejected)).toBe(true);

    // The default mapping turns the template columns straight into canonical fields.
    const mapped = applyMapping(accounts[2], csvConnector.defaultMapping.account!);
    expect(mapped).toMatchObject({ externalId: "u3", fields: { username: "carol", status: "active", department: null } });
  });

  it("reports bad rows with their line numbers and keeps going", async () => {
    const file = [
      "externalId,username,email", // line 1
      "u1,alice,alice@example.test", // 2
      "u2,bob", // 3: too few columns
      ",nobody,nobody@example.test", // 4: no id
      "u4,dave,dave@example.test,extra", // 5: too many columns
      "", // 6: blank lines are ignored, not errors
      'u6,er"ic,eric@example.test', // 7: a quote inside an unquoted field
      "u7,frank,frank@example.test", // 8
    ].join("\n");
    const { pages } = await extractAll({ files: { accounts: "a.csv" } }, { "a.csv": file });
    expect(pages.flatMap((p) => p.records).map((r) => r.externalId)).toEqual(["u1", "u7"]);
    const rejected = pages.flatMap((p) => p.rejected ?? []).sort((a, b) => a.line! - b.line!);
    expect(rejected.map((r) => r.line)).toEqual([3, 4, 5, 7]);
    expect(rejected[0].reason).toBe("has 2 columns, the header has 3");
    expect(rejected[1].reason).toBe('no value in the "externalId" column');
    expect(rejected[2].reason).toBe("has 4 columns, the header has 3");
    expect(rejected[3].reason).toMatch(/quote/i);
  });

  it("pages by the requested size, joining rows split across chunks", async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `u${i},user${i}`);
    // Chunk boundaries fall inside rows: the parser must join them.
    const text = ["externalId,username", ...rows].join("\n");
    const chunks = text.match(/[\s\S]{1,777}/g)!;
    const { pages } = await extractAll({ files: { accounts: "big.csv" } }, { "big.csv": chunks }, { pageSize: 1000 });
    expect(pages.map((p) => p.records.length)).toEqual([1000, 1000, 500]);
    expect(pages[2].records.at(-1)).toMatchObject({ externalId: "u2499", attributes: { username: "user2499" } });
  });

  it("streams: the first page comes before the file has been read to the end", async () => {
    let produced = 0;
    const source = Readable.from(
      (function* () {
        yield Buffer.from("externalId,username\n");
        for (let i = 0; i < 200_000; i++) {
          produced++;
          yield Buffer.from(`u${i},user${i}\n`);
        }
      })(),
    );
    const gen = csvConnector.extract(
      { files: { accounts: "huge.csv" } },
      { objectTypes: ["account"], cursors: null, pageSize: 100, openObject: async () => source },
    );
    const first = await gen.next();
    expect(first.done ? [] : first.value.records).toHaveLength(100);
    expect(produced).toBeLessThan(20_000);
    await gen.return(undefined as never);
    expect(source.destroyed).toBe(true);
  });

  it("applies the header mapping and the delimiter", async () => {
    const file = "Employee ID;Login;Mail;Team\n1001;alice;alice@example.test;Platform\n";
    const { pages } = await extractAll(
      {
        files: { accounts: "hr.csv" },
        delimiter: ";",
        headerMapping: { accounts: { "Employee ID": "externalId", Login: "username", Mail: "email" } },
      },
      { "hr.csv": file },
    );
    expect(pages[0].records).toEqual([
      {
        objectType: "account",
        externalId: "1001",
        // Unmapped columns keep their header as the attribute name.
        attributes: { externalId: "1001", username: "alice", email: "alice@example.test", Team: "Platform" },
      },
    ]);
  });

  it("refuses a file without the id column, naming the file and the columns it has", async () => {
    const error = await extractAll({ files: { accounts: "hr.csv" } }, { "hr.csv": "Employee ID,Login\n1,a\n" }).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("bad_data");
    expect(error.message).toBe(
      'The accounts file "hr.csv" has no "externalId" column (columns: Employee ID, Login); rename the column or map it in the header mapping',
    );
  });

  it.each([
    ["a PNG image", Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), "the file is binary (it contains NUL bytes)"],
    ["an HTML page", "<!DOCTYPE html>\n<html><body>Sign in</body></html>\n", "the file is HTML or XML, not CSV"],
    [
      "an Excel workbook",
      Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(20, 1)]),
      "the file is a ZIP archive (an Excel workbook?); export it as CSV",
    ],
    ["an empty file", "", "the file is empty"],
    [
      "a file starting with a blank line",
      "\nexternalId,username\nu1,a\n",
      "the first line is empty; the first line must be the header row",
    ],
  ])("refuses %s as bad data naming the file", async (_what, body, reason) => {
    const error = await extractAll({ files: { groups: "up/g.csv" } }, { "up/g.csv": body }).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("bad_data");
    expect(error.message).toBe(`The groups file "up/g.csv" is not usable CSV: ${reason}`);
  });

  it("fails with a config error when an uploaded file is gone", async () => {
    const error = await extractAll({ files: { accounts: "gone.csv" } }, {}).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("config");
    expect(error.message).toBe('Cannot open the accounts file "gone.csv": No object stored under "gone.csv"');
  });

  it("fails with kind unreachable when the store's stream breaks mid-file", async () => {
    const broken = Readable.from(
      (async function* () {
        yield Buffer.from("externalId,username\nu1,alice\n");
        throw new Error("socket hang up");
      })(),
    );
    const gen = csvConnector.extract(
      { files: { accounts: "a.csv" } },
      { objectTypes: ["account"], cursors: null, openObject: async () => broken },
    );
    const error = await (async () => {
      for await (const _page of gen);
    })().catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("unreachable");
    expect(error.message).toBe('Cannot read the accounts file "a.csv": socket hang up');
  });

  it("reads only the files of the requested object types", async () => {
    const store = uploads({ "a.csv": ACCOUNTS, "m.csv": "groupExternalId,memberExternalId\ng1,u1\n" });
    const gen = csvConnector.extract(
      { files: { accounts: "a.csv", memberships: "m.csv" } },
      { objectTypes: ["membership"], cursors: null, openObject: store.openObject },
    );
    const types: string[] = [];
    for await (const page of gen) types.push(page.objectType);
    expect(types).toEqual(["membership"]);
    expect(store.opened).toEqual(["m.csv"]);
  });

  it("stops with the caller's reason when the run is cancelled", async () => {
    const controller = new AbortController();
    const rows = Array.from({ length: 5000 }, (_, i) => `u${i},user${i}`);
    const store = uploads({ "a.csv": ["externalId,username\n", rows.join("\n")] });
    const gen = csvConnector.extract(
      { files: { accounts: "a.csv" } },
      { objectTypes: ["account"], cursors: null, openObject: store.openObject, signal: controller.signal, pageSize: 100 },
    );
    await gen.next();
    controller.abort(new Error("cancelled by the operator"));
    await expect(gen.next()).rejects.toThrow("cancelled by the operator");
  });
});

describe("CSV connector: test()", () => {
  it("counts good rows per object type and mentions rejected ones", async () => {
    const { openObject } = uploads({ "a.csv": `${ACCOUNTS}\nu9\n`, "g.csv": "externalId,name\ng1,Admins\n" });
    const result = await testCsvFiles({ files: { accounts: "a.csv", groups: "g.csv" } }, openObject);
    expect(result).toEqual({ summary: "Read accounts: 3 rows (1 rejected), groups: 1 rows", counts: { account: 3, group: 1 } });
  });
});

describe("sniffCsv", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("returns the header of a CSV file, with or without a UTF-8 BOM", () => {
    expect(sniffCsv(bytes('externalId,"Display, Name",email\n1,a,b\n'))).toEqual({
      ok: true,
      headers: ["externalId", "Display, Name", "email"],
    });
    expect(sniffCsv(bytes("\uFEFFexternalId,name\r\n"))).toEqual({ ok: true, headers: ["externalId", "name"] });
  });

  it("guesses the delimiter when none is given", () => {
    expect(sniffCsv(bytes("id;name;mail\n1;a;b\n"))).toEqual({ ok: true, headers: ["id", "name", "mail"] });
    expect(sniffCsv(bytes("id\tname\n1\ta\n"))).toEqual({ ok: true, headers: ["id", "name"] });
  });

  it("explains why a file is refused", () => {
    expect(sniffCsv(new Uint8Array([0xff, 0xfe, 0x69, 0x00]))).toEqual({
      ok: false,
      reason: "the file is UTF-16 text; save it as CSV UTF-8",
    });
    expect(sniffCsv(bytes('{"users": []}'))).toEqual({ ok: false, reason: "the file is JSON, not CSV" });
    expect(sniffCsv(bytes("%PDF-1.7\n"))).toEqual({ ok: false, reason: "the file is a PDF document" });
    expect(sniffCsv(bytes("id,,name\n"))).toEqual({ ok: false, reason: "column 2 of the header row has no name" });
    expect(sniffCsv(bytes("id,name,id\n"))).toEqual({ ok: false, reason: 'the header row names column "id" twice' });
    expect(sniffCsv(bytes("x".repeat(70_000)))).toEqual({
      ok: false,
      reason: "no line break in the first 64 KiB, so there is no header row",
    });
  });
});

// The mapping step every connector's records go through, exercised here on CSV-shaped records.
describe("canonical mapping", () => {
  const record = { objectType: "account" as const, externalId: "u1", attributes: { Login: "alice", Active: "0", Mail: "", Badge: "B-7" } };

  it("maps source attributes onto canonical fields, null where the source is empty", () => {
    expect(applyMapping(record, { Login: "username", Mail: "email", Active: "status", Missing: "title" })).toEqual({
      externalId: "u1",
      fields: { externalId: "u1", username: "alice", email: null, status: "disabled", title: null },
      raw: record.attributes,
    });
  });

  it("lets a mapped identifier replace the source's externalId", () => {
    expect(applyMapping(record, { Badge: "externalId" }).externalId).toBe("B-7");
  });

  it("accepts only canonical field names of the object type", () => {
    expect(mappingConfigSchema.safeParse({ account: { Login: "username" }, membership: { g: "groupExternalId" } }).success).toBe(true);
    const wrong = mappingConfigSchema.safeParse({ account: { Login: "userName" }, group: { cn: "email" }, user: {} });
    expect(wrong.success).toBe(false);
    expect(wrong.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["account.Login", "Not a canonical account field"],
      ["group.cn", "Not a canonical group field"],
      ["", 'Unrecognized key: "user"'],
    ]);
  });
});
