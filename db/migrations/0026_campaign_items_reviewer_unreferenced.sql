ALTER TABLE "campaign_items" DROP CONSTRAINT "campaign_items_reviewer_id_users_id_fk";
