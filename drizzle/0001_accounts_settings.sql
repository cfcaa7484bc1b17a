CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`phone` text,
	`name` text,
	`status` text NOT NULL,
	`status_since` integer NOT NULL,
	`last_error` text,
	`last_disconnect_code` integer,
	`reconnect_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`paired_at` integer,
	`last_connected_at` integer,
	`want_running` integer DEFAULT false NOT NULL,
	`moved_to` text,
	`moved_at` integer
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
