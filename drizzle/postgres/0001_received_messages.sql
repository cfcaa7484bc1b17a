CREATE TABLE "received_messages" (
	"account_id" text NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "received_messages_account_id_message_id_pk" PRIMARY KEY("account_id","message_id")
);
