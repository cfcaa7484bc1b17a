CREATE TABLE `auth_creds` (
	`account_id` text PRIMARY KEY NOT NULL,
	`value` blob NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `auth_keys` (
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`id` text NOT NULL,
	`value` blob NOT NULL,
	PRIMARY KEY(`account_id`, `type`, `id`)
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` blob NOT NULL
);
