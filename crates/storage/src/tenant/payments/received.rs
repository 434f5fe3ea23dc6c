//! Payments received (`successful_payment`, table `payments`): recorded once per Telegram
//! charge id, applied to their booking, or recorded as late or duplicate and given back.
