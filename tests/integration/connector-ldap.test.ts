/** The LDAP connector against a real, private OpenLDAP (slapd): bind errors, paging, memberships, delta by modifyTimestamp. */
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMapping } from "@/lib/connectors/canonical";
import { ldapConnector, type LdapConfig } from "@/lib/connectors/ldap";
import { ConnectorError, type ExtractOptions, type ExtractPage, type ExtractResult, type SourceRecord } from "@/lib/connectors/types";
import {
  GROUPS_DN,
  generateDirectoryLdif,
  groupCn,
  posixGroupCn,
  startSlapd,
  userDn,
  userUid,
  writeLdif,
  type RunningSlapd,
} from "@/tests/helpers/slapd";

const USERS = 120;
const GROUPS = 6;
const POSIX_GROUPS = 3;
const PER_GROUP = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let slapd: RunningSlapd;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "connector-ldap-"));
  slapd = await startSlapd({ tls: true });
  const file = path.join(tmp, "directory.ldif");
  await writeLdif(file, generateDirectoryLdif({ users: USERS, groups: GROUPS, membershipsPerGroup: PER_GROUP, posixGroups: POSIX_GROUPS }));
  await slapd.bulkLoad(file);
  // Over the protocol: a user with a password hash, and a group with members that are not in scope.
  await slapd.addLdif(`dn: uid=svc,ou=people,dc=example,dc=test
objectClass: inetOrgPerson
uid: svc
cn: Service
sn: Account
userPassword: {SSHA}not-a-real-hash

dn: cn=dangling,${GROUPS_DN}
objectClass: groupOfNames
cn: dangling
member: ${userDn(1)}
member: uid=ghost,ou=people,dc=example,dc=test
`);
});

afterAll(async () => {
  await slapd?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const config = (overrides: Partial<LdapConfig> = {}): LdapConfig =>
  ldapConnector.configSchema.parse({
    url: slapd.url,
    bindDn: slapd.bindDn,
    bindPassword: slapd.bindPassword,
    baseDn: slapd.baseDn,
    ...overrides,
  });

async function extractAll(cfg: LdapConfig, opts: Partial<ExtractOptions> = {}) {
  const gen = ldapConnector.extract(cfg, { objectTypes: ldapConnector.capabilities.objectTypes, cursors: null, ...opts });
  const pages: ExtractPage[] = [];
  let next = await gen.next();
  while (!next.done) {
    pages.push(next.value);
    next = await gen.next();
  }
  const of = (type: string) => pages.filter((p) => p.objectType === type);
  return {
    pages,
    result: next.value as ExtractResult,
    accounts: of("account").flatMap((p) => p.records),
    groups: of("group").flatMap((p) => p.records),
    memberships: of("membership").flatMap((p) => p.records),
    rejected: pages.flatMap((p) => p.rejected ?? []),
  };
}

const byUid = (records: SourceRecord[], uid: string) => records.find((r) => r.attributes.uid === uid)!;
const byCn = (records: SourceRecord[], cn: string) => records.find((r) => r.attributes.cn === cn)!;

describe("LDAP connector: test()", () => {
  it("binds and reports how many accounts and groups the settings reach", async () => {
    const result = await ldapConnector.test(config());
    expect(result.counts).toEqual({ account: USERS + 1, group: GROUPS + POSIX_GROUPS + 1 });
    expect(result.summary).toBe(
      `Connected to ${slapd.url} as ${slapd.bindDn}: ${USERS + 1} accounts under dc=example,dc=test, ${GROUPS + POSIX_GROUPS + 1} groups under dc=example,dc=test`,
    );
  });

  it("fails with kind auth and the server's reason on a wrong password, never echoing it", async () => {
    const error = await ldapConnector.test(config({ bindPassword: "wrong-password-123" })).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("LDAP bind failed: Invalid Credentials (49)");
    expect(error.message).not.toContain("wrong-password-123");
  });

  it("fails with kind unreachable when nothing listens on the port", async () => {
    const port = await closedPort();
    const error = await ldapConnector.test(config({ url: `ldap://127.0.0.1:${port}` })).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("unreachable");
    expect(error.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("fails with kind config when the base DN does not exist", async () => {
    const error = await ldapConnector.test(config({ baseDn: "dc=nowhere,dc=test" })).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe("config");
    expect(error.message).toBe("LDAP search failed: No Such Object (32) — check the base DN settings");
  });

  it("refuses settings that cannot work before connecting", () => {
    const parsed = ldapConnector.configSchema.safeParse({
      url: "http://dir.example.test",
      bindDn: "cn=a",
      bindPassword: "x",
      baseDn: "dc=a",
      userFilter: "uid=*",
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join("."))).toEqual(["url", "userFilter"]);
  });
});

describe("LDAP connector: TLS", () => {
  it("upgrades ldap:// with StartTLS, verifying the server against the given CA", async () => {
    const result = await ldapConnector.test(config({ startTls: true, tlsCaCert: slapd.caCert }));
    expect(result.counts.account).toBe(USERS + 1);
    const { accounts } = await extractAll(config({ startTls: true, tlsCaCert: slapd.caCert }));
    expect(accounts).toHaveLength(USERS + 1);
  });

  it("connects over ldaps:// with the CA, and refuses a server it cannot verify", async () => {
    const result = await ldapConnector.test(config({ url: slapd.ldapsUrl, tlsCaCert: slapd.caCert }));
    expect(result.summary).toContain(`Connected to ${slapd.ldapsUrl}`);

    for (const cfg of [config({ url: slapd.ldapsUrl }), config({ startTls: true })]) {
      const error = await ldapConnector.test(cfg).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectorError);
      expect(`${error.kind}: ${error.message}`).toMatch(/self[- ]signed certificate|unable to verify|unable to get local issuer/i);
    }
  });

  it("connects to an unverifiable server only when verification is turned off", async () => {
    const result = await ldapConnector.test(config({ url: slapd.ldapsUrl, tlsRejectUnauthorized: false }));
    expect(result.counts.account).toBe(USERS + 1);
  });
});

describe("LDAP connector: extract", () => {
  it("pages accounts and groups, and turns member and memberUid values into memberships", async () => {
    const { pages, accounts, groups, memberships, rejected, result } = await extractAll(config(), { pageSize: 50 });

    // More entries than one page: the paged-results control was followed to the end.
    expect(pages.filter((p) => p.objectType === "account").map((p) => p.records.length)).toEqual([50, 50, 21]);
    expect(accounts).toHaveLength(USERS + 1);
    expect(new Set(accounts.map((a) => a.externalId)).size).toBe(USERS + 1);
    expect(accounts.every((a) => UUID.test(a.externalId))).toBe(true);

    const alice = byUid(accounts, userUid(3));
    expect(alice.attributes).toMatchObject({ dn: userDn(3), mail: `${userUid(3)}@example.test`, sn: "Surname3", givenName: "Given3" });
    // Password hashes are never copied out of the directory.
    expect(Object.keys(byUid(accounts, "svc").attributes).map((k) => k.toLowerCase())).not.toContain("userpassword");

    // The default mapping gives canonical fields, with the manager's DN resolved to the manager's externalId.
    const mapped = applyMapping(alice, ldapConnector.defaultMapping.account!);
    expect(mapped).toEqual({
      externalId: alice.externalId,
      fields: {
        externalId: alice.externalId,
        username: userUid(3),
        email: `${userUid(3)}@example.test`,
        displayName: "User 3",
        givenName: "Given3",
        familyName: "Surname3",
        department: "D3",
        title: "Engineer 3",
        managerExternalId: byUid(accounts, userUid(0)).externalId,
      },
      raw: alice.attributes,
    });

    expect(groups).toHaveLength(GROUPS + POSIX_GROUPS + 1);
    // Members travel as membership records, not on the group.
    expect(Object.keys(byCn(groups, groupCn(0)).attributes)).not.toContain("member");

    const idOfUser = (i: number) => byUid(accounts, userUid(i)).externalId;
    const membersOf = (group: SourceRecord) =>
      memberships.filter((m) => m.attributes.groupExternalId === group.externalId).map((m) => m.attributes.memberExternalId);
    // groupOfNames (member DNs): group g holds users g*25 … g*25+24.
    expect(membersOf(byCn(groups, groupCn(2))).sort()).toEqual(Array.from({ length: PER_GROUP }, (_, j) => idOfUser(50 + j)).sort());
    // posixGroup (memberUid): resolved to the same account externalIds.
    expect(membersOf(byCn(groups, posixGroupCn(1))).sort()).toEqual(Array.from({ length: PER_GROUP }, (_, j) => idOfUser(25 + j)).sort());
    expect(memberships).toHaveLength((GROUPS + POSIX_GROUPS) * PER_GROUP + 1);
    const m = memberships[0];
    expect(m.externalId).toBe(`${m.attributes.groupExternalId}|${m.attributes.memberExternalId}`);

    // A member outside the directory is reported, and the group's other member still counts.
    const dangling = byCn(groups, "dangling");
    expect(membersOf(dangling)).toEqual([idOfUser(1)]);
    expect(rejected).toEqual([
      {
        externalId: dangling.externalId,
        reason: `cn=dangling,${GROUPS_DN}: member uid=ghost,ou=people,dc=example,dc=test is not an account or group in scope`,
      },
    ]);

    expect(result.mode).toBe("full");
    expect(Object.keys(result.cursors).sort()).toEqual(["account", "group", "membership"]);
  });

  it("limits accounts and groups to their base DNs and filters", async () => {
    const { accounts, groups } = await extractAll(
      config({ userBaseDn: "ou=people,dc=example,dc=test", userFilter: "(uid=user00001*)", groupFilter: "(objectClass=posixGroup)" }),
      { objectTypes: ["account", "group"] },
    );
    expect(accounts.map((a) => a.attributes.uid).sort()).toEqual(Array.from({ length: 10 }, (_, i) => userUid(10 + i)));
    expect(groups.map((g) => g.attributes.cn).sort()).toEqual([posixGroupCn(0), posixGroupCn(1), posixGroupCn(2)]);
  });

  it("with the cursors of the last run, reads only entries changed since (plus the cursor's own second)", async () => {
    // Make the newest entry of each type one we know, a second after the bulk load.
    await nextSecond();
    await slapd.addLdif(modify(userDn(5), "description", "touched") + modify(`cn=${groupCn(1)},${GROUPS_DN}`, "description", "touched"));
    const full = await extractAll(config());
    const { cursors } = full.result;
    expect(cursors.account).toBe(byUid(full.accounts, userUid(5)).attributes.modifyTimestamp);
    expect(cursors.group).toBe(byCn(full.groups, groupCn(1)).attributes.modifyTimestamp);

    await nextSecond();
    await slapd.addLdif(
      modify(userDn(7), "title", "Principal Engineer") +
        `dn: cn=${groupCn(2)},${GROUPS_DN}\nchangetype: modify\nadd: member\nmember: ${userDn(110)}\n\n`,
    );
    const delta = await extractAll(config(), { cursors });

    expect(delta.result.mode).toBe("delta");
    // Entries of the cursor's own second come again (a same-second change is never lost), then what changed.
    expect(delta.accounts.map((a) => a.attributes.uid).sort()).toEqual([userUid(5), userUid(7)]);
    expect(byUid(delta.accounts, userUid(7)).attributes.title).toBe("Principal Engineer");
    expect(delta.groups.map((g) => g.attributes.cn).sort()).toEqual([groupCn(1), groupCn(2)]);
    // A changed group comes with its complete member list, including the new member.
    const group2 = byCn(delta.groups, groupCn(2)).externalId;
    const group2Members = delta.memberships.filter((m) => m.attributes.groupExternalId === group2);
    expect(group2Members).toHaveLength(PER_GROUP + 1);
    expect(group2Members.map((m) => m.attributes.memberExternalId)).toContain(byUid(full.accounts, userUid(110)).externalId);
    expect(delta.result.cursors.account! > cursors.account!).toBe(true);
  });

  it("stops with the caller's reason when the run is cancelled", async () => {
    const controller = new AbortController();
    const gen = ldapConnector.extract(config(), { objectTypes: ["account"], cursors: null, pageSize: 10, signal: controller.signal });
    await gen.next();
    controller.abort(new Error("cancelled by the operator"));
    await expect(gen.next()).rejects.toThrow("cancelled by the operator");
  });
});

function modify(dn: string, attribute: string, value: string): string {
  return `dn: ${dn}\nchangetype: modify\nreplace: ${attribute}\n${attribute}: ${value}\n\n`;
}

/** modifyTimestamp has whole seconds: wait until the clock is in the next one. */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
