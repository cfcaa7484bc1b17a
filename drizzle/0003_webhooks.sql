CREATE TABLE `webhook_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` text NOT NULL,
	`webhook_id` text NOT NULL,
	`lane` text NOT NULL,
	`event` text NOT NULL,
	`payload` blob NOT NULL,
	`created_at` integer NOT NULL,
	`queued_at` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_attempt_at` integer,
	`status_code` integer,
	`error` text,
	`duration_ms` integer,
	`response` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_outbox_delivery_id_unique` ON `webhook_outbox` (`delivery_id`);--> statement-breakpoint
CREATE INDEX `webhook_outbox_lane` ON `webhook_outbox` (`status`,`webhook_id`,`lane`,`seq`);--> statement-breakpoint
CREATE INDEX `webhook_outbox_webhook` ON `webhook_outbox` (`webhook_id`,`seq`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret` blob NOT NULL,
	`created_at` integer NOT NULL,
	`last_success_at` integer,
	`failures_in_a_row` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
