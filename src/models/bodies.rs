//! Request bodies of many members: public `Option` fields named as Hotmart's JSON members,
//! `Default`, members left `None` not sent (re-exported by [`crate::api`]).

// The bodies of the payment links calls.

model! {
    /// The body of [`crate::api::PaymentLinks::create`]; members left `None` are not sent.
    pub open struct PaymentLink {
        name: String = "The link's name.",
        value: f64 = "Its value.",
        currency: String = "Its currency, e.g. `BRL`.",
        checkout_configuration: CheckoutConfiguration = "What the checkout offers and asks.",
        link_configuration: LinkConfiguration = "The link's own settings.",
        subscription: LinkSubscription = "A subscription, for a recurring link.",
    }

    /// What a payment link's checkout offers and asks.
    pub open struct CheckoutConfiguration {
        is_offer_pix: bool = "Whether Pix is offered.",
        is_offer_paypal: bool = "Whether PayPal is offered.",
        is_offer_balance: bool = "Whether Hotmart balance is offered.",
        is_hotmart_can_send_notification_for_buyer: bool = "Whether Hotmart may notify the buyer.",
        offer_billet: OfferBillet = "The bank slip.",
        custom_thanks_page: ThanksPages = "Thank-you pages.",
        is_show_coupon_option: bool = "Whether a coupon may be typed.",
        is_request_buyer_address: bool = "Whether the buyer's address is asked.",
        is_request_phone_number: bool = "Whether the phone number is asked.",
        is_request_id_number: bool = "Whether an id number is asked.",
    }

    /// The bank slip of a payment link.
    pub open struct OfferBillet {
        is_offer_billet: bool = "Whether a bank slip is offered.",
        weekdays: Vec<String> = "The weekdays it may be paid on.",
    }

    /// The thank-you pages of a payment link.
    pub open struct ThanksPages {
        purchase_approved_url: String = "After an approved purchase.",
        purchase_waiting_payment_url: String = "While a payment is awaited.",
        purchase_under_analysis_url: String = "While a purchase is under analysis.",
    }

    /// A payment link's own settings.
    pub open struct LinkConfiguration {
        link_callback_url: String = "Where Hotmart calls back.",
    }

    /// The subscription of a recurring payment link.
    pub open struct LinkSubscription {
        periodicity: String = "E.g. `MONTHLY`.",
        billing_configuration: BillingConfiguration = "How it bills.",
        trial: Trial = "Its trial.",
    }

    /// How a link's subscription or plan bills.
    pub open struct BillingConfiguration {
        billing_type: String = "The billing type.",
        max_number_of_payments: u64 = "The most payments.",
    }

    /// The trial of a link's subscription or plan.
    pub open struct Trial {
        trial_type: String = "The trial type.",
        trial_period: u64 = "Its length.",
    }

    /// The body of [`crate::api::PaymentLinks::add_offer`]; members left `None` are not sent.
    pub open struct LinkOffer {
        offer_name: String = "The offer's name.",
        value: f64 = "Its value.",
        currency: String = "Its currency.",
        is_main_offer: bool = "Whether it is the link's main offer.",
    }

    /// The body of [`crate::api::PaymentLinks::add_plan`]; members left `None` are not sent.
    pub open struct LinkPlan {
        name: String = "The plan's name.",
        value: f64 = "Its value.",
        periodicity: String = "E.g. `MONTHLY`.",
        billing_configuration: BillingConfiguration = "How it bills.",
        trial: Trial = "Its trial.",
    }

    // The bodies of the physical products calls.

    /// A physical product, the `product` of the create and update calls; members left `None`
    /// are not sent.
    pub open struct PhysicalProduct {
        name: String = "The product's name.",
        description: String = "Its description (Hotmart asks for more than 200 characters).",
        partner_url: String = "The partner's page of it.",
        partner_product_id: String = "The partner's id of it (v2).",
        content_locale: String = "E.g. `PT_BR`.",
        category: u64 = "Hotmart's category number.",
        sub_category: u64 = "Hotmart's subcategory number.",
        status: String = "E.g. `ACTIVE`.",
        sku: String = "The stock-keeping unit.",
        cost: f64 = "Its cost.",
        is_free_shipping: bool = "Whether shipping is free.",
        additional_shipping_days: u64 = "Days added to shipping.",
        image: Image = "Its picture.",
        dimensions: Dimensions = "Its size and weight.",
        address: ProductAddress = "Where it ships from.",
        attributes: Vec<Attribute> = "Its attributes (v2).",
        variants: Vec<Variant> = "Its variants (v2).",
    }

    /// A picture of a product or variant.
    pub open struct Image {
        id: u64 = "Its id.",
        src: String = "Its address.",
    }

    /// The size and weight of a product or variant.
    pub open struct Dimensions {
        weight: f64 = "Weight.",
        width: f64 = "Width.",
        height: f64 = "Height.",
        length: f64 = "Length.",
    }

    /// Where a physical product ships from.
    pub open struct ProductAddress {
        postal_code: String = "Postal code.",
        address: String = "Street.",
        address_number: String = "Number.",
        complement: String = "Complement.",
        neighborhood: String = "Neighborhood.",
        city: String = "City.",
        state: String = "State.",
        country: String = "Country, e.g. `BR`.",
    }

    /// An attribute of a product (e.g. colour) and the values it takes.
    pub open struct Attribute {
        name: String = "Its name.",
        values: Vec<String> = "Its values.",
        status: String = "E.g. `ACTIVE`.",
    }

    /// A variant of a product.
    pub open struct Variant {
        identifier: String = "The partner's id of it.",
        sku: String = "Its stock-keeping unit.",
        attributes: Vec<VariantAttribute> = "Its value of each attribute.",
        status: String = "E.g. `ACTIVE`.",
        cost: f64 = "Its cost.",
        stock: u64 = "How many are in stock.",
        dimensions: Dimensions = "Its size and weight.",
        image: Image = "Its picture.",
    }

    /// A variant's value of one attribute.
    pub open struct VariantAttribute {
        name: String = "The attribute's name.",
        value: String = "Its value.",
    }

    /// The body of [`crate::api::PhysicalProducts::update_variants`].
    pub open struct Variants {
        attributes: Vec<Attribute> = "The attributes.",
        variants: Vec<Variant> = "The variants.",
    }

    /// The body of [`crate::api::PhysicalProducts::shipment_tracking`] (its `partner` is added); members
    /// left `None` are not sent.
    pub open struct ShipmentTracking {
        transaction: String = "The sale's transaction.",
        code: String = "The tracking code.",
        url: String = "Where to follow it.",
        carrier: String = "E.g. `CORREIOS`.",
        carrier_service: String = "E.g. `PAC`.",
        shipping_type: String = "E.g. `FIXED_PRICE`.",
        estimated_delivery: String = "The expected delivery (ISO 8601).",
        actual_delivery: String = "The delivery (ISO 8601).",
        freight_actual_price: f64 = "What the freight cost.",
        recipient_email: String = "Who receives it.",
        is_sample: bool = "Whether it is a sample.",
        tracking_events: Vec<TrackingEvent> = "What happened to it.",
    }

    /// One event of a shipment.
    pub open struct TrackingEvent {
        description: String = "What happened.",
        location: String = "Where.",
        date: String = "When (ISO 8601).",
        status: String = "E.g. `DELIVERED`.",
    }
}
