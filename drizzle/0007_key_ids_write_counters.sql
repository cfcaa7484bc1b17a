CREATE TABLE `seen_identities` (
	`identity` text PRIMARY KEY NOT NULL,
	`writes` integer NOT NULL,
	`account_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `auth_creds` ADD `writes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `auth_creds` ADD `identity` text;