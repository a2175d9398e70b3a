ALTER TABLE "processing_jobs" ADD COLUMN "files_expired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "processing_jobs" ADD COLUMN "files_deleted_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "processing_jobs_retention_idx" ON "processing_jobs" USING btree ("completed_at") WHERE "processing_jobs"."files_expired_at" is null;--> statement-breakpoint
CREATE INDEX "processing_jobs_files_expired_idx" ON "processing_jobs" USING btree ("files_expired_at") WHERE "processing_jobs"."files_expired_at" is not null and "processing_jobs"."files_deleted_at" is null;--> statement-breakpoint
CREATE INDEX "processing_jobs_held_idx" ON "processing_jobs" USING btree ("id") WHERE "processing_jobs"."credits_held" > 0;