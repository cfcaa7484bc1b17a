CREATE TABLE `activity` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	`code` integer,
	`actor` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `activity_account_seq` ON `activity` (`account_id`,`seq`);