/**
 * The filters of a campaign's items, as the Summary's decisions table and the
 * review queue both offer them; they go inside a FilterForm. The reviewer
 * choice is left out for a reviewer, who sees only their own items.
 */
import { FilterField } from "@/components/data/filter-form";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { OBJECT_TYPE_LABELS, OBJECT_TYPES } from "@/lib/domain/enums";

export type ItemFilterValues = Partial<Record<"reviewerId" | "integrationId" | "objectType" | "status" | "q", string>>;

export function ItemFilterFields({
  values,
  reviewers,
  integrations,
}: {
  values: ItemFilterValues;
  /** Null hides the reviewer choice. */
  reviewers: { id: string; name: string }[] | null;
  integrations: { id: string; name: string }[];
}) {
  return (
    <>
      {reviewers ? (
        <FilterField label="Reviewer" htmlFor="reviewerId">
          <NativeSelect id="reviewerId" name="reviewerId" defaultValue={values.reviewerId ?? ""} className="w-full">
            <NativeSelectOption value="">All reviewers</NativeSelectOption>
            {reviewers.map((r) => (
              <NativeSelectOption key={r.id} value={r.id}>
                {r.name}
              </NativeSelectOption>
            ))}
          </NativeSelect>
        </FilterField>
      ) : null}
      <FilterField label="Integration" htmlFor="integrationId">
        <NativeSelect id="integrationId" name="integrationId" defaultValue={values.integrationId ?? ""} className="w-full">
          <NativeSelectOption value="">All integrations</NativeSelectOption>
          {integrations.map((i) => (
            <NativeSelectOption key={i.id} value={i.id}>
              {i.name}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </FilterField>
      <FilterField label="Object type" htmlFor="objectType">
        <NativeSelect id="objectType" name="objectType" defaultValue={values.objectType ?? ""} className="w-full">
          <NativeSelectOption value="">All object types</NativeSelectOption>
          {OBJECT_TYPES.map((t) => (
            <NativeSelectOption key={t} value={t}>
              {OBJECT_TYPE_LABELS[t]}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </FilterField>
      <FilterField label="Decision" htmlFor="status">
        <NativeSelect id="status" name="status" defaultValue={values.status ?? ""} className="w-full">
          <NativeSelectOption value="">Any</NativeSelectOption>
          <NativeSelectOption value="undecided">Undecided</NativeSelectOption>
          <NativeSelectOption value="approve">Approved</NativeSelectOption>
          <NativeSelectOption value="revoke">Revoked</NativeSelectOption>
        </NativeSelect>
      </FilterField>
      <FilterField label="Account or group" htmlFor="q">
        <Input id="q" name="q" type="search" placeholder="Contains…" defaultValue={values.q ?? ""} />
      </FilterField>
    </>
  );
}
