CREATE TABLE `lid_mappings` (
	`account_id` text NOT NULL,
	`lid` text NOT NULL,
	`pn` text NOT NULL,
	`learned_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `lid`)
);
--> statement-breakpoint
ALTER TABLE `accounts` ADD `condition` text;