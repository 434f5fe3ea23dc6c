-- How a renewal order is paid is the order's own fact, not the subscription's at the time the
-- payment is made: the automatic renewal charges the saved method it chose when it wrote the
-- order, while an owner who renews by hand (the "renew" link of a warning, or buying again
-- with their own bot) pays on YooKassa's page, even when a method is saved. Before this, every
-- renewal order was charged to the saved method, so an owner renewing by hand was charged
-- without seeing the amount on a payment page (and could not pay with another card after the
-- saved one had failed).
alter table control.orders
    -- The saved payment method this order charges; null: paid on YooKassa's page.
    add column charge_method text;

-- Automatic renewal orders still waiting for their payment to be made keep being charged to
-- the method saved for their subscription, as they were written to be.
update control.orders o set charge_method = s.payment_method_id
    from control.subscriptions s
    where o.kind = 'renewal' and o.status = 'pending' and o.payment_id is null
      and s.tenant_id = o.tenant_id and s.payment_method_id is not null;
