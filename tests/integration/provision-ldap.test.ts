/** The LDAP connector's write side against a real OpenLDAP (slapd): every action, idempotence, both group kinds, both disable strategies, and that the next sync sees each change under the same external id. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ldapConnector, type LdapConfig } from "@/lib/connectors/ldap";
import { ConnectorError, type ProvisionOperation, type SourceRecord } from "@/lib/connectors/types";
import { BASE_DN, GROUPS_DN, PEOPLE_DN, startSlapd, type RunningSlapd } from "@/tests/helpers/slapd";

let slapd: RunningSlapd;
const provisioner = ldapConnector.provisioner!;

beforeAll(async () => {
  slapd = await startSlapd();
  await slapd.addLdif(`dn: ou=disabled,${PEOPLE_DN}
objectClass: organizationalUnit
ou: disabled

dn: uid=anchor,${PEOPLE_DN}
objectClass: inetOrgPerson
uid: anchor
cn: Anchor
sn: Anchor

dn: cn=staff,${GROUPS_DN}
objectClass: groupOfNames
cn: staff
member: uid=anchor,${PEOPLE_DN}

dn: cn=developers,${GROUPS_DN}
objectClass: posixGroup
cn: developers
gidNumber: 5000
`);
});

afterAll(async () => {
  await slapd?.stop();
});

const config = (): LdapConfig =>
  ldapConnector.configSchema.parse({
    url: slapd.url,
    bindDn: slapd.bindDn,
    bindPassword: slapd.bindPassword,
    baseDn: BASE_DN,
    userBaseDn: PEOPLE_DN,
    groupBaseDn: GROUPS_DN,
  });

const op = (o: Partial<ProvisionOperation> & Pick<ProvisionOperation, "action">): ProvisionOperation => ({
  taskId: "00000000-0000-4000-8000-000000000000",
  objectType: o.action === "grant" || o.action === "revoke" ? "membership" : "account",
  account: { username: "jdoe" },
  settings: {},
  ...o,
});

/** What the next sync reads. */
async function sync() {
  const gen = ldapConnector.extract(config(), { objectTypes: ["account", "group", "membership"], cursors: null });
  const records: SourceRecord[] = [];
  for (let next = await gen.next(); !next.done; next = await gen.next()) records.push(...next.value.records);
  const accounts = records.filter((r) => r.objectType === "account");
  return {
    account: (uid: string) => accounts.find((r) => r.attributes.uid === uid),
    group: (cn: string) => records.find((r) => r.objectType === "group" && r.attributes.cn === cn)!,
    memberships: records.filter((r) => r.objectType === "membership").map((r) => r.externalId),
  };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe("LDAP provisioning: accounts", () => {
  let id: string;

  it("creates an inetOrgPerson with mapped attributes; the next sync finds it under the id apply returned", async () => {
    const result = await provisioner.apply(
      config(),
      op({
        action: "create",
        attributes: {
          email: "jdoe@example.test",
          givenName: "Jane",
          familyName: "Doe",
          displayName: "Jane Doe",
          department: "R&D",
          title: "Engineer",
        },
      }),
    );
    expect(result.alreadyApplied).toBe(false);
    expect(result.request).toMatchObject({ method: "add", url: `uid=jdoe,${PEOPLE_DN}` });
    expect(result.response).toEqual({ status: "success", body: expect.stringContaining(`Added uid=jdoe,${PEOPLE_DN}`) });
    id = result.accountExternalId!;
    const account = (await sync()).account("jdoe")!;
    expect(account.externalId).toBe(id);
    expect(account.attributes).toMatchObject({
      mail: "jdoe@example.test",
      sn: "Doe",
      givenName: "Jane",
      cn: "Jane Doe",
      departmentNumber: "R&D",
      title: "Engineer",
    });
  });

  it("applying the same create again writes nothing and reports the existing entry", async () => {
    const again = await provisioner.apply(config(), op({ action: "create", attributes: { email: "other@example.test" } }));
    expect(again).toMatchObject({ alreadyApplied: true, accountExternalId: id });
    expect(again.steps).toEqual([`Account uid=jdoe,${PEOPLE_DN} already exists; nothing added`]);
    expect((await sync()).account("jdoe")!.attributes.mail).toBe("jdoe@example.test");
  });

  it("fills the required sn with the username when no family name is given", async () => {
    const result = await provisioner.apply(config(), op({ action: "create", account: { username: "nosn" } }));
    expect((await sync()).account("nosn")).toMatchObject({ externalId: result.accountExternalId, attributes: { sn: "nosn", cn: "nosn" } });
  });

  it("updates: replaces changed attributes and removes cleared ones; a repeat is already applied", async () => {
    const change = op({ action: "update", account: { username: "jdoe", externalId: id }, attributes: { title: "Lead", department: null } });
    const result = await provisioner.apply(config(), change);
    expect(result.alreadyApplied).toBe(false);
    expect(result.request).toEqual({
      method: "modify",
      url: `uid=jdoe,${PEOPLE_DN}`,
      body: { changes: { title: ["Lead"], departmentNumber: null } },
    });
    const account = (await sync()).account("jdoe")!;
    expect(account.externalId).toBe(id);
    expect(account.attributes.title).toBe("Lead");
    expect(account.attributes.departmentNumber).toBeUndefined();
    expect((await provisioner.apply(config(), change)).alreadyApplied).toBe(true);
  });

  it("renames the entry when the username (its RDN) changes, keeping the external id", async () => {
    await provisioner.apply(config(), op({ action: "create", account: { username: "old.name" } }));
    const before = (await sync()).account("old.name")!;
    await provisioner.apply(
      config(),
      op({ action: "update", account: { username: "old.name", externalId: before.externalId }, attributes: { username: "new.name" } }),
    );
    const after = (await sync()).account("new.name")!;
    expect(after.externalId).toBe(before.externalId);
    expect(after.attributes.dn).toBe(`uid=new.name,${PEOPLE_DN}`);
  });

  it("an attribute the directory's schema does not know fails with a clear bad_data message", async () => {
    const error = await failure(
      provisioner.apply(
        config(),
        op({
          action: "update",
          account: { username: "jdoe", externalId: id },
          attributes: { title: "x" },
          settings: { attributeMap: { title: "favouriteColour" } },
        }),
      ),
    );
    expect(error.kind).toBe("bad_data");
    expect(error.message).toBe(
      `LDAP modify failed: Undefined Attribute Type (17): favouriteColour: attribute type undefined (on uid=jdoe,${PEOPLE_DN})`,
    );
  });

  it("update of an account that is not there is not_found", async () => {
    const error = await failure(
      provisioner.apply(config(), op({ action: "update", account: { username: "nobody" }, attributes: { title: "x" } })),
    );
    expect(error.kind).toBe("not_found");
    expect(error.message).toBe(`No account nobody under ${BASE_DN}`);
  });

  it("deletes (also out of its groups); deleting again is already applied", async () => {
    const created = await provisioner.apply(
      config(),
      op({ action: "create", account: { username: "leaver" }, bindGroups: [`cn=staff,${GROUPS_DN}`] }),
    );
    const result = await provisioner.apply(
      config(),
      op({ action: "delete", account: { username: "leaver", externalId: created.accountExternalId } }),
    );
    expect(result).toMatchObject({ alreadyApplied: false, request: { method: "delete", url: `uid=leaver,${PEOPLE_DN}` } });
    expect(result.steps).toEqual([`Removed member uid=leaver,${PEOPLE_DN} from cn=staff,${GROUPS_DN}`, `Deleted uid=leaver,${PEOPLE_DN}`]);
    const synced = await sync();
    expect(synced.account("leaver")).toBeUndefined();
    expect(synced.memberships.some((m) => m.endsWith(`|${created.accountExternalId}`))).toBe(false);
    const again = await provisioner.apply(
      config(),
      op({ action: "delete", account: { username: "leaver", externalId: created.accountExternalId } }),
    );
    expect(again.alreadyApplied).toBe(true);
  });
});

describe("LDAP provisioning: enable and disable", () => {
  it("attribute strategy: sets the disabled value, enable writes the enabled value; repeats are already applied", async () => {
    const settings = { disable: { strategy: "attribute", attribute: "employeeType", disabledValue: "disabled", enabledValue: "active" } };
    const disable = op({ action: "disable", settings });
    const result = await provisioner.apply(config(), disable);
    expect(result.request).toEqual({ method: "modify", url: `uid=jdoe,${PEOPLE_DN}`, body: { changes: { employeeType: ["disabled"] } } });
    expect((await sync()).account("jdoe")!.attributes.employeeType).toBe("disabled");
    expect((await provisioner.apply(config(), disable)).alreadyApplied).toBe(true);
    await provisioner.apply(config(), op({ action: "enable", settings }));
    expect((await sync()).account("jdoe")!.attributes.employeeType).toBe("active");
  });

  it("move strategy: disable moves the entry to the disabled OU and enable moves it back, same external id", async () => {
    const settings = { disable: { strategy: "move", disabledBaseDn: `ou=disabled,${PEOPLE_DN}` } };
    const id = (await sync()).account("jdoe")!.externalId;
    const result = await provisioner.apply(config(), op({ action: "disable", account: { username: "jdoe", externalId: id }, settings }));
    expect(result).toMatchObject({
      accountExternalId: id,
      request: { method: "modifyDN", body: { newDn: `uid=jdoe,ou=disabled,${PEOPLE_DN}` } },
    });
    expect((await sync()).account("jdoe")).toMatchObject({ externalId: id, attributes: { dn: `uid=jdoe,ou=disabled,${PEOPLE_DN}` } });
    expect((await provisioner.apply(config(), op({ action: "disable", settings }))).alreadyApplied).toBe(true);
    await provisioner.apply(config(), op({ action: "enable", account: { username: "jdoe", externalId: id }, settings }));
    expect((await sync()).account("jdoe")).toMatchObject({ externalId: id, attributes: { dn: `uid=jdoe,${PEOPLE_DN}` } });
  });

  it("without a disable strategy, disable is refused with what to set", async () => {
    const error = await failure(provisioner.apply(config(), op({ action: "disable" })));
    expect(error.kind).toBe("config");
    expect(error.message).toMatch(/^This LDAP directory has no disable strategy: choose one in the provisioning settings/);
  });

  it("rejects settings that do not fit the schema", () => {
    const parsed = provisioner.settingsSchema.safeParse({ disable: { strategy: "move" } });
    expect(parsed.success).toBe(false);
  });
});

describe("LDAP provisioning: memberships", () => {
  it("grant and revoke on a groupOfNames write member = the account's DN; repeats are already applied", async () => {
    const before = await sync();
    const staff = before.group("staff").externalId;
    const jdoe = before.account("jdoe")!.externalId;
    const grant = op({ action: "grant", account: { username: "jdoe", externalId: jdoe }, group: { externalId: staff, name: "staff" } });
    const granted = await provisioner.apply(config(), grant);
    expect(granted.request).toEqual({ method: "modify", url: `cn=staff,${GROUPS_DN}`, body: { add: { member: `uid=jdoe,${PEOPLE_DN}` } } });
    expect((await sync()).memberships).toContain(`${staff}|${jdoe}`);
    expect((await provisioner.apply(config(), grant)).alreadyApplied).toBe(true);

    const revoke = { ...grant, action: "revoke" as const };
    expect((await provisioner.apply(config(), revoke)).alreadyApplied).toBe(false);
    expect((await sync()).memberships).not.toContain(`${staff}|${jdoe}`);
    expect((await provisioner.apply(config(), revoke)).alreadyApplied).toBe(true);
  });

  it("grant and revoke on a posixGroup write memberUid = the uid", async () => {
    const before = await sync();
    const developers = before.group("developers").externalId;
    const jdoe = before.account("jdoe")!.externalId;
    const grant = op({ action: "grant", account: { username: "jdoe", externalId: jdoe }, group: { externalId: developers } });
    expect((await provisioner.apply(config(), grant)).request.body).toEqual({ add: { memberUid: "jdoe" } });
    expect((await sync()).memberships).toContain(`${developers}|${jdoe}`);
    await provisioner.apply(config(), { ...grant, action: "revoke" });
    expect((await sync()).memberships).not.toContain(`${developers}|${jdoe}`);
  });

  it("create and update bind and unbind groups and report the bindings", async () => {
    const groups = await sync();
    const staff = groups.group("staff").externalId;
    const developers = groups.group("developers").externalId;
    const created = await provisioner.apply(
      config(),
      op({ action: "create", account: { username: "binder" }, bindGroups: [staff, developers] }),
    );
    expect(created.bindings).toEqual({
      bound: [
        { externalId: staff, name: "staff" },
        { externalId: developers, name: "developers" },
      ],
      unbound: [],
    });
    const id = created.accountExternalId!;
    expect((await sync()).memberships).toEqual(expect.arrayContaining([`${staff}|${id}`, `${developers}|${id}`]));
    const updated = await provisioner.apply(
      config(),
      op({ action: "update", account: { username: "binder", externalId: id }, unbindGroups: [developers] }),
    );
    expect(updated.bindings).toEqual({ bound: [], unbound: [{ externalId: developers, name: "developers" }] });
    expect((await sync()).memberships).not.toContain(`${developers}|${id}`);
  });

  it("a group that does not exist is not_found, naming it", async () => {
    const error = await failure(
      provisioner.apply(config(), op({ action: "grant", group: { externalId: "0f0e0d0c-0000-4000-8000-000000000000", name: "Ghosts" } })),
    );
    expect(error.kind).toBe("not_found");
    expect(error.message).toBe(`Group Ghosts (0f0e0d0c-0000-4000-8000-000000000000) does not exist under ${GROUPS_DN}`);
  });

  it("never puts the bind password in a result", async () => {
    const result = await provisioner.apply(config(), op({ action: "create" }));
    expect(JSON.stringify(result)).not.toContain(slapd.bindPassword);
  });
});
