import { describe, expect, it } from "vitest";
import type { ConnectorOption } from "@/components/integrations/connector-fields";
import {
  configPayload,
  initialValues,
  integrationPayload,
  mappingProblems,
  secretStates,
  stepOf,
  type IntegrationFormValues,
  type StoredIntegration,
} from "@/components/integrations/integration-form/payload";
import { flattenErrors, integrationResolver } from "@/components/integrations/integration-form/resolver";

const ldap: ConnectorOption = {
  type: "ldap",
  label: "LDAP",
  secretFields: ["bindPassword"],
  objectTypes: ["account", "group", "membership"],
  delta: false,
  defaultMapping: { account: { uid: "username", mail: "email" }, group: { cn: "name" } },
};
const csv: ConnectorOption = {
  type: "csv",
  label: "CSV",
  secretFields: [],
  objectTypes: ["account"],
  delta: false,
  defaultMapping: { account: { externalId: "externalId" } },
};

const stored: StoredIntegration & { name: string } = {
  name: "HR Directory",
  connector: "ldap",
  config: {
    url: "ldap://ldap.example.com:389",
    bindDn: "cn=sync,dc=example,dc=com",
    bindPassword: "********",
    baseDn: "dc=example,dc=com",
    startTls: true,
    timeoutMs: 9000,
  },
  mapping: { account: { uid: "username" } },
  scheduleMinutes: 60,
  dropThresholdPercent: 25,
  logoUploadId: null,
};

function values(patch: Partial<IntegrationFormValues> = {}, base = initialValues(ldap, stored)): IntegrationFormValues {
  return { ...base, ...patch, config: { ...base.config, ...(patch.config ?? {}) } };
}

async function validate(v: IntegrationFormValues, editing = false) {
  const resolver = integrationResolver([ldap, csv], editing ? stored : undefined);
  const result = await resolver(v, undefined, { fields: {}, shouldUseNativeValidation: false, criteriaMode: "all" });
  return flattenErrors(result.errors);
}

describe("integration form values", () => {
  it("start from what is stored, with the secret blank (never shown, not even masked) and unset checkboxes at the connector's default", () => {
    const v = initialValues(ldap, stored);
    expect(v.name).toBe("HR Directory");
    expect(v.config).toMatchObject({ url: "ldap://ldap.example.com:389", bindPassword: "", startTls: true, tlsRejectUnauthorized: true });
    expect(v.mapping).toEqual({ account: [{ source: "uid", field: "username" }], group: [], membership: [] });
    expect(v.scheduleMinutes).toBe("60");
    expect(v.dropThresholdPercent).toBe("25");
  });

  it("start a new integration from the connector's default mapping and a 30 % drop guard", () => {
    const v = initialValues(ldap);
    expect(v.mapping.account).toEqual([
      { source: "uid", field: "username" },
      { source: "mail", field: "email" },
    ]);
    expect(v.dropThresholdPercent).toBe("30");
    expect(v.scheduleMinutes).toBe("");
  });
});

describe("configPayload", () => {
  it("keeps stored settings the form does not show, leaves out the masked secret so the service keeps it, and trims text", () => {
    const config = configPayload(values({ config: { baseDn: "  dc=example,dc=org " } }), ldap, stored);
    expect(config).toMatchObject({ timeoutMs: 9000, baseDn: "dc=example,dc=org", startTls: true });
    expect(config).not.toHaveProperty("bindPassword");
    // Blank optional settings are left out rather than sent empty.
    expect(config).not.toHaveProperty("userFilter");
  });

  it("sends a typed secret as typed, spaces included", () => {
    expect(configPayload(values({ config: { bindPassword: " s3cret " } }), ldap, stored).bindPassword).toBe(" s3cret ");
  });

  it("sends a group of settings even when all of it is blank, so the connector can say what is missing", () => {
    expect(configPayload(initialValues(csv), csv)).toEqual({ files: {} });
    expect(configPayload(values({ config: { files: { accounts: "upload-1" } } }, initialValues(csv)), csv)).toEqual({
      files: { accounts: "upload-1" },
    });
  });
});

describe("secretStates", () => {
  it("counts a stored secret as kept while the address is the saved one, however it is spaced", () => {
    const s = secretStates(values({ config: { url: " ldap://ldap.example.com:389 " } }), ldap, stored);
    expect([...s.stored]).toEqual(["bindPassword"]);
    expect(s.retype.size).toBe(0);
  });

  it("asks for the secret again once the address changes", () => {
    const s = secretStates(values({ config: { url: "ldap://elsewhere.example.com:389" } }), ldap, stored);
    expect(s.stored.size).toBe(0);
    expect([...s.retype]).toEqual(["bindPassword"]);
  });

  it("has nothing stored for a new integration", () => {
    const s = secretStates(initialValues(ldap), ldap);
    expect(s.stored.size + s.retype.size).toBe(0);
  });
});

describe("integrationPayload", () => {
  it("turns the optional fields into the server's types: blank schedule is none, numbers are numbers, an unchanged logo is not sent", () => {
    const p = integrationPayload(values({ name: "  HR  ", scheduleMinutes: " ", dropThresholdPercent: "40" }), ldap, stored);
    expect(p).toMatchObject({ name: "HR", connector: "ldap", scheduleMinutes: null, dropThresholdPercent: 40 });
    expect(p).not.toHaveProperty("logoUploadId");
    const uploaded = "7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f";
    expect(integrationPayload(values({ logoUploadId: uploaded }), ldap, stored)).toMatchObject({ logoUploadId: uploaded });
    expect(integrationPayload(values({ logoUploadId: null }), ldap, { ...stored, logoUploadId: uploaded })).toMatchObject({
      logoUploadId: null,
    });
    expect(p.mapping).toEqual({ account: { uid: "username" }, group: {}, membership: {} });
    expect(p).not.toHaveProperty("evidence");
  });

  it("carries evidence only when there is some, as notes and upload ids", () => {
    const p = integrationPayload(
      values({ evidence: { notes: null, uploads: [{ id: "u1", filename: "a.pdf", size: 3 } as never] } }),
      ldap,
      stored,
    );
    expect(p.evidence).toEqual({ notes: undefined, uploadIds: ["u1"] });
  });
});

describe("mapping problems and validation with the server's schemas", () => {
  it("names empty rows and attributes mapped twice (whatever their case), per object type", () => {
    const problems = mappingProblems(
      values({
        mapping: {
          account: [
            { source: "uid", field: "username" },
            { source: "UID", field: "email" },
            { source: " ", field: "email" },
          ],
          group: [],
        },
      }),
      ldap,
    );
    expect(problems).toEqual({ "mapping.account": ["Row 2: “UID” is mapped twice", "Row 3: enter a source attribute"] });
  });

  it("reports the server's own messages under the server's keys, and the step that holds them", async () => {
    const errors = await validate(values({ name: "H", logoUploadId: "not-an-upload", scheduleMinutes: "2" }));
    expect(errors.name).toEqual(["must be at least 2 characters"]);
    expect(errors.logoUploadId).toEqual(["is not an uploaded logo; upload the image again"]);
    expect(errors.scheduleMinutes).toEqual(["must be at least 5 minutes"]);
    expect(Object.keys(errors).map(stepOf).sort()).toEqual([0, 2, 2]);
  });

  it("puts mapping problems on the mapping step", async () => {
    const errors = await validate(values({ mapping: { account: [{ source: "", field: "username" }] } }), true);
    expect(errors).toEqual({ "mapping.account": ["Row 1: enter a source attribute"] });
    expect(stepOf("mapping.account")).toBe(1);
  });

  it("passes a complete form", async () => {
    expect(await validate(values(), true)).toEqual({});
    expect(await validate(values({ name: "New one" }, initialValues(ldap)))).toEqual({});
  });
});
