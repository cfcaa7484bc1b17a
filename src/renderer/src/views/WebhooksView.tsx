// Webhooks (docs/webhooks.md): the endpoints events are posted to, their health, the add form (the secret is
// shown once), and the recent deliveries with their payload, the receiver's answer and a redeliver
// button. What is delivered and how it is signed is in docs/webhooks.md.

import { AddWebhookForm } from '../components/webhooks/AddWebhookForm'
import { DeliveryList } from '../components/webhooks/DeliveryList'
import { EndpointList } from '../components/webhooks/EndpointList'
import { ViewHeading } from '../components/ViewHeading'
import '../components/webhooks/webhooks.css'

export function WebhooksView() {
  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Webhooks</ViewHeading>
      </div>
      <p className="view-intro">
        Each event is posted as JSON, signed with the endpoint&apos;s secret (<code>x-irish-signature</code>), and kept until the receiver answers
        2xx: retried with growing pauses for up to 24 hours, in order per account, across restarts.
      </p>
      <EndpointList />
      <AddWebhookForm />
      <DeliveryList />
    </section>
  )
}
