CREATE TABLE "activity" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"at" bigint NOT NULL,
	"kind" text NOT NULL,
	"message" text NOT NULL,
	"code" integer,
	"actor" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "activity_account_seq" ON "activity" USING btree ("account_id","seq");