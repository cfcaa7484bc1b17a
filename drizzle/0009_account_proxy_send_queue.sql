CREATE TABLE `known_contacts` (
	`account_id` text NOT NULL,
	`jid` text NOT NULL,
	`first_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `jid`)
);
--> statement-breakpoint
CREATE TABLE `sends` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` text NOT NULL,
	`account_id` text NOT NULL,
	`jid` text NOT NULL,
	`payload` blob,
	`new_contact` integer NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`done_at` integer,
	`error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sends_message_id_unique` ON `sends` (`message_id`);--> statement-breakpoint
CREATE INDEX `sends_account_state` ON `sends` (`account_id`,`state`,`seq`);--> statement-breakpoint
CREATE INDEX `sends_done` ON `sends` (`state`,`done_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `proxy` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `proxy_url` blob;--> statement-breakpoint
ALTER TABLE `accounts` ADD `limits` text;