-- ledger_keys had row triggers but no statement trigger: TRUNCATE bypasses row triggers.
CREATE TRIGGER ledger_keys_no_truncate
  BEFORE TRUNCATE ON ledger_keys
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();
--> statement-breakpoint
-- The sealer's only ways to write signing keys and checkpoints and to clear the
-- queue. The app role holds no INSERT on ledger_keys or ledger_checkpoints and no
-- DELETE on ledger_queue; these functions run as their owner (the schema owner)
-- and check their arguments, so a caller with the app's credentials can only
-- add well-formed rows and can only remove queue rows whose exact record is
-- already in the chain. A separate sealer role would sit in the same worker
-- process with the same reach, and would be one more credential to deploy.
-- search_path is pinned so that nothing a caller creates can stand in for the
-- tables or functions named here.
CREATE FUNCTION ledger_register_key(p_key_id text, p_public_key_pem text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  der bytea;
BEGIN
  IF p_key_id IS NULL OR p_public_key_pem IS NULL THEN
    RAISE EXCEPTION 'ledger_register_key: key id and public key are required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_public_key_pem !~ '^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$' THEN
    RAISE EXCEPTION 'ledger_register_key: expected a PEM public key' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  der := decode(regexp_replace(p_public_key_pem, '-----[A-Z ]+-----|\n', '', 'g'), 'base64');
  -- An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header and the 32-byte key.
  IF length(der) <> 44 OR substring(der FROM 1 FOR 12) <> '\x302a300506032b6570032100'::bytea THEN
    RAISE EXCEPTION 'ledger_register_key: not an Ed25519 public key' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_key_id <> left(encode(sha256(der), 'hex'), 16) THEN
    RAISE EXCEPTION 'ledger_register_key: key id % does not name this key', p_key_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO ledger_keys (key_id, public_key_pem) VALUES (p_key_id, p_public_key_pem) ON CONFLICT (key_id) DO NOTHING;
  RETURN FOUND;
END;
$$;
--> statement-breakpoint
-- Returns false, writing nothing, when a checkpoint of this tenant already covers
-- as many entries (another sealer got there first).
CREATE FUNCTION ledger_append_checkpoint(
  p_tenant_id uuid, p_tree_size bigint, p_root_hash text, p_key_id text, p_signature text,
  p_created_at text, p_object_key text, p_frontier text
) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  size bigint;
BEGIN
  IF p_tenant_id IS NULL OR p_tree_size IS NULL OR p_root_hash IS NULL OR p_key_id IS NULL OR p_signature IS NULL
     OR p_created_at IS NULL OR p_object_key IS NULL OR p_frontier IS NULL THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: every argument is required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT max(seq) INTO size FROM ledger_entries WHERE tenant_id = p_tenant_id;
  IF p_tree_size < 1 OR size IS NULL OR p_tree_size > size THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: tree size % is not within the tenant''s % entries', p_tree_size, coalesce(size, 0)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_root_hash !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: root hash must be 64 lowercase hex characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ledger_keys WHERE key_id = p_key_id) THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: key % is not registered', p_key_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_signature !~ '^[A-Za-z0-9+/]+={0,2}$' OR length(decode(p_signature, 'base64')) <> 64 THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: signature must be 64 bytes in base64' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_created_at !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$' THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: created_at must be an ISO 8601 UTC time' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF left(p_object_key, length('tenants/' || p_tenant_id || '/')) <> 'tenants/' || p_tenant_id || '/' THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: object key must lie under the tenant''s folder' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_frontier !~ '^\[' OR jsonb_typeof(p_frontier::jsonb) <> 'array' THEN
    RAISE EXCEPTION 'ledger_append_checkpoint: frontier must be a JSON array' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM ledger_checkpoints WHERE tenant_id = p_tenant_id AND tree_size >= p_tree_size) THEN
    RETURN false;
  END IF;
  INSERT INTO ledger_checkpoints (tenant_id, tree_size, root_hash, key_id, signature, created_at, object_key, frontier)
  VALUES (p_tenant_id, p_tree_size, p_root_hash, p_key_id, p_signature, p_created_at, p_object_key, p_frontier)
  ON CONFLICT DO NOTHING;
  RETURN FOUND;
END;
$$;
--> statement-breakpoint
-- Removes queue rows once sealed. A row counts as sealed only when the tenant's
-- chain holds an entry with its kind, reference, time and record, so a queued
-- record cannot be dropped without first being written into the ledger.
CREATE FUNCTION ledger_dequeue(p_tenant_id uuid, p_ids bigint[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  unsealed bigint;
  removed integer;
BEGIN
  IF p_tenant_id IS NULL OR p_ids IS NULL THEN
    RAISE EXCEPTION 'ledger_dequeue: tenant and ids are required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT q.id INTO unsealed
    FROM ledger_queue q
   WHERE q.id = ANY (p_ids)
     AND (q.tenant_id <> p_tenant_id OR NOT EXISTS (
       SELECT 1 FROM ledger_entries e
        WHERE e.tenant_id = q.tenant_id AND e.kind = q.kind AND e.ref_id = q.ref_id
          AND e.created_at = q.created_at AND e.record::jsonb = q.record))
   LIMIT 1;
  IF unsealed IS NOT NULL THEN
    RAISE EXCEPTION 'ledger_dequeue: queue row % is not sealed in this tenant''s ledger', unsealed USING ERRCODE = 'insufficient_privilege';
  END IF;
  DELETE FROM ledger_queue WHERE tenant_id = p_tenant_id AND id = ANY (p_ids);
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN removed;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ledger_register_key(text, text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ledger_append_checkpoint(uuid, bigint, text, text, text, text, text, text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ledger_dequeue(uuid, bigint[]) FROM PUBLIC;
