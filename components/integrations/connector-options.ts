/**
 * The connector facts the (client) integration form needs, read from the
 * registry on the server: the connector modules themselves pull in protocol
 * libraries that must never reach the browser bundle.
 */
import "server-only";
import { CONNECTOR_TYPES, getConnector } from "@/lib/connectors/registry";
import type { ConnectorOption } from "./connector-fields";

export function connectorOptions(): ConnectorOption[] {
  return CONNECTOR_TYPES.map((type) => {
    const c = getConnector(type);
    return {
      type,
      label: c.label,
      secretFields: [...c.secretFields],
      objectTypes: [...c.capabilities.objectTypes],
      delta: c.capabilities.delta,
      defaultMapping: structuredClone(c.defaultMapping),
    };
  });
}
