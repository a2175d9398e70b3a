ALTER TABLE "credit_ledger" ADD COLUMN "sequence" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "credit_ledger_user_sequence_idx" ON "credit_ledger" USING btree ("user_id","sequence");