import { describe, expect, it } from "vitest";
import { connectProblem, hostProblem, parsePolicy } from "@/lib/connectors/network-policy";

const open = parsePolicy(undefined);
const corp = parsePolicy("ldap.corp.example, *.apps.example, 10.20.0.0/16, 192.0.2.7");
const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

describe("connector network policy", () => {
  it("always refuses metadata, link-local and reserved addresses, written or resolved", async () => {
    for (const url of [
      "ldap://169.254.169.254",
      "https://[fe80::1]/scim",
      "ldap://0.0.0.0:389",
      "https://100.100.100.200/x",
      "https://[::ffff:169.254.169.254]/",
    ]) {
      expect(hostProblem(url, open), url).toMatch(/link-local, metadata or reserved/);
    }
    expect(await connectProblem("https://metadata.evil.example/scim", open, resolvesTo("169.254.169.254"))).toBe(
      "metadata.evil.example resolves to 169.254.169.254, a link-local, metadata or reserved address, which connectors may not reach",
    );
  });

  it("without an allow-list lets connectors reach ordinary public and private hosts", async () => {
    expect(hostProblem("ldaps://dc1.corp.example:636", open)).toBeNull();
    expect(await connectProblem("ldap://dc1.corp.example", open, resolvesTo("10.1.2.3"))).toBeNull();
    expect(await connectProblem("ldap://10.0.0.5:389", open)).toBeNull();
    expect(hostProblem("https://192.168.1.20/scim/v2", open)).toBeNull();
    expect(hostProblem("https://[fd12::5]/scim/v2", open)).toBeNull();
  });

  it("refuses the app's own machine (loopback) however it is written, unless the list names it", async () => {
    for (const url of [
      "ldap://127.0.0.1:3389",
      "ldap://127.1",
      "ldap://127.0.0.53",
      "ldap://2130706433",
      "ldap://0x7f.0.0.1",
      "https://localhost/scim",
      "https://LOCALHOST./scim",
      "https://db.localhost/scim",
      "https://[::1]:8443/scim",
      "https://[::ffff:127.0.0.1]/scim",
      "ldap://[::ffff:7f00:1]",
    ]) {
      expect(hostProblem(url, open), url).toMatch(/the app's own machine \(loopback\)/);
    }
    expect(await connectProblem("https://rebound.example/scim", open, resolvesTo("10.0.0.1", "127.0.0.1"))).toBe(
      "rebound.example resolves to 127.0.0.1, the app's own machine (loopback), which connectors may not reach unless CONNECTOR_ALLOWED_HOSTS names it",
    );
    expect(await connectProblem("https://mapped.example/scim", open, resolvesTo("::ffff:127.0.0.1"))).toMatch(
      /resolves to 127\.0\.0\.1, the app's own machine/,
    );
  });

  it("admits loopback only when named: its address, a network holding it, or localhost; never through a wildcard", async () => {
    const testDirectory = parsePolicy("127.0.0.1, *");
    expect(await connectProblem("ldap://127.0.0.1:3389", testDirectory)).toBeNull();
    expect(hostProblem("ldap://127.1:3389", testDirectory)).toBeNull();
    expect(hostProblem("https://[::ffff:127.0.0.1]/scim", testDirectory)).toBeNull();
    // `*` keeps every other host allowed, but not another loopback address.
    expect(hostProblem("ldaps://dc1.corp.example", testDirectory)).toBeNull();
    expect(hostProblem("ldap://127.0.0.2", testDirectory)).toMatch(/loopback/);
    expect(hostProblem("https://[::1]/scim", testDirectory)).toMatch(/loopback/);
    expect(await connectProblem("https://rebound.example/scim", testDirectory, resolvesTo("127.0.0.2"))).toMatch(/loopback/);
    expect(hostProblem("https://[::1]/scim", parsePolicy("::1"))).toBeNull();
    expect(hostProblem("ldap://127.0.0.9", parsePolicy("127.0.0.0/8"))).toBeNull();
    expect(await connectProblem("https://localhost:8443/scim", parsePolicy("localhost"), resolvesTo("127.0.0.1", "::1"))).toBeNull();
    expect(hostProblem("https://localhost/scim", parsePolicy("*"))).toMatch(/loopback/);
    expect(hostProblem("https://db.localhost/scim", parsePolicy("*.localhost"))).toMatch(/loopback/);
    // A listed name that is later pointed at 127.0.0.1 is still refused.
    expect(await connectProblem("ldap://ldap.corp.example", corp, resolvesTo("127.0.0.1"))).toMatch(
      /resolves to 127\.0\.0\.1, the app's own machine/,
    );
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
