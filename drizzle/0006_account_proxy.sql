ALTER TABLE `accounts` ADD `proxy` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `proxy_url` blob;