import { describe, expect, it } from "vitest";
import { connectProblem, hostProblem, parsePolicy } from "@/lib/connectors/network-policy";

const open = parsePolicy(undefined);
const corp = parsePolicy("ldap.corp.example, *.apps.example, 10.20.0.0/16, 192.0.2.7");
const resolvesTo = (...addresses: string[]) => async () => addresses;

describe("connector network policy", () => {
  it("always refuses metadata, link-local and reserved addresses, written or resolved", async () => {
    for (const url of ["ldap://169.254.169.254", "https://[fe80::1]/scim", "ldap://0.0.0.0:389", "https://100.100.100.200/x", "https://[::ffff:169.254.169.254]/"]) {
      expect(hostProblem(url, open), url).toMatch(/link-local, metadata or reserved/);
    }
    expect(await connectProblem("https://metadata.evil.example/scim", open, resolvesTo("169.254.169.254"))).toBe(
      "metadata.evil.example resolves to 169.254.169.254, a link-local, metadata or reserved address, which connectors may not reach",
    );
  });

  it("without an allow-list lets connectors reach ordinary public and private hosts", async () => {
    expect(hostProblem("ldaps://dc1.corp.example:636", open)).toBeNull();
    expect(await connectProblem("ldap://dc1.corp.example", open, resolvesTo("10.1.2.3"))).toBeNull();
    expect(await connectProblem("ldap://127.0.0.1:3389", open)).toBeNull();
  });

  it("with an allow-list admits only listed names, domains and networks", async () => {
    expect(hostProblem("ldap://ldap.corp.example", corp)).toBeNull();
    expect(hostProblem("https://hr.apps.example/scim/v2", corp)).toBeNull();
    expect(hostProblem("https://10.20.4.5/scim", corp)).toBeNull();
    expect(hostProblem("ldap://192.0.2.7", corp)).toBeNull();
    expect(hostProblem("ldap://127.0.0.1:389", corp)).toMatch(/127\.0\.0\.1 is not in the hosts connectors may reach/);
    expect(hostProblem("https://apps.example.evil.test/", corp)).toMatch(/not in the hosts/);
    // Names are judged by name: an unlisted one is refused wherever it points, a listed one may point anywhere not reserved.
    expect(await connectProblem("ldap://dc9.internal", corp, resolvesTo("10.20.9.9"))).toMatch(/dc9\.internal is not in the hosts/);
    expect(await connectProblem("ldap://ldap.corp.example", corp, resolvesTo("10.99.0.1"))).toBeNull();
  });
});
