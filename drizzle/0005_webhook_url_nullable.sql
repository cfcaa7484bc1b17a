PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text,
	`sealed_url` blob,
	`events` text NOT NULL,
	`secret` blob NOT NULL,
	`created_at` integer NOT NULL,
	`last_success_at` integer,
	`failures_in_a_row` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
--> statement-breakpoint
INSERT INTO `__new_webhooks`("id", "url", "sealed_url", "events", "secret", "created_at", "last_success_at", "failures_in_a_row", "last_error") SELECT "id", "url", "sealed_url", "events", "secret", "created_at", "last_success_at", "failures_in_a_row", "last_error" FROM `webhooks`;--> statement-breakpoint
DROP TABLE `webhooks`;--> statement-breakpoint
ALTER TABLE `__new_webhooks` RENAME TO `webhooks`;--> statement-breakpoint
PRAGMA foreign_keys=ON;