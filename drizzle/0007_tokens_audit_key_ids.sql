CREATE TABLE `api_tokens` (
	`name` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`accounts` text,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_unique` ON `api_tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `audit` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`command` text NOT NULL,
	`accounts` text NOT NULL,
	`result` text NOT NULL,
	`server` text NOT NULL,
	`subject` text
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit` (`at`);--> statement-breakpoint
CREATE TABLE `seen_identities` (
	`identity` text PRIMARY KEY NOT NULL,
	`writes` integer NOT NULL,
	`account_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `auth_creds` ADD `writes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `auth_creds` ADD `identity` text;