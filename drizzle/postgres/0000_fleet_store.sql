CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"phone" text,
	"name" text,
	"status" text NOT NULL,
	"status_since" bigint NOT NULL,
	"last_error" text,
	"last_disconnect_code" integer,
	"reconnect_count" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"paired_at" bigint,
	"last_connected_at" bigint,
	"want_running" boolean DEFAULT false NOT NULL,
	"moved_to" text,
	"moved_at" bigint
);
--> statement-breakpoint
CREATE TABLE "auth_creds" (
	"account_id" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_keys" (
	"account_id" text NOT NULL,
	"type" text NOT NULL,
	"id" text NOT NULL,
	"value" "bytea" NOT NULL,
	CONSTRAINT "auth_keys_account_id_type_id_pk" PRIMARY KEY("account_id","type","id")
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"account_id" text PRIMARY KEY NOT NULL,
	"owner" text,
	"epoch" bigint DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "servers" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
