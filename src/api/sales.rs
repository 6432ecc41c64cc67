//! `/payments/api/v1/sales/…`.
//!
//! Every sales read returns only `APPROVED` and `COMPLETE` sales unless `transaction_status`
//! (or `transaction`) is given: Hotmart's default, easy to miss in a report.

use std::time::SystemTime;

use super::{paged_request, setters};
use crate::models::{CommissionAs, PaymentType, TransactionStatus};
use crate::models::{Sale, SaleCommissions, SaleParticipants, SalePriceDetails, SalesSummary};
use crate::{Client, Error};

/// The sales endpoints; made by [`Client::sales`].
#[derive(Clone, Copy, Debug)]
pub struct Sales<'c> {
    client: &'c Client,
}

impl<'c> Sales<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Sales { client }
    }

    /// `GET /payments/api/v1/sales/history`: every sale in detail, paginated.
    ///
    /// Hotmart's defaults: only `APPROVED` and `COMPLETE` sales unless
    /// [`transaction_status`](SalesHistoryRequest::transaction_status) or
    /// [`transaction`](SalesHistoryRequest::transaction) says otherwise; pages of 10, at most
    /// 500.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use std::time::{Duration, SystemTime};
    /// let yesterday = SystemTime::now() - Duration::from_secs(86_400);
    /// for sale in client.sales().history().start_date(yesterday).max_results(500).items() {
    ///     let sale = sale?;
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn history(&self) -> SalesHistoryRequest<'c> {
        SalesHistoryRequest::new(self.client.get("/payments/api/v1/sales/history"))
    }

    /// `GET /payments/api/v1/sales/summary`: the total of the sales per currency. Same
    /// status default as [`history`](Self::history).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for total in client.sales().summary().items() {
    ///     let total = total?.total_value.unwrap_or_default();
    ///     println!("{:?} {:?}", total.value, total.currency_code);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn summary(&self) -> SalesSummaryRequest<'c> {
        SalesSummaryRequest::new(self.client.get("/payments/api/v1/sales/summary"))
    }

    /// `GET /payments/api/v1/sales/users`: who took part in each sale (buyer, producer,
    /// affiliates, co-producers) with contact details. Same status default as
    /// [`history`](Self::history).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let page = client.sales().participants().transaction("HP17715690036014").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn participants(&self) -> SaleParticipantsRequest<'c> {
        SaleParticipantsRequest::new(self.client.get("/payments/api/v1/sales/users"))
    }

    /// `GET /payments/api/v1/sales/commissions`: each receiver's commission per sale. Same
    /// status default as [`history`](Self::history).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::models::CommissionAs;
    /// let page = client.sales().commissions().commission_as(CommissionAs::Affiliate).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn commissions(&self) -> SaleCommissionsRequest<'c> {
        SaleCommissionsRequest::new(self.client.get("/payments/api/v1/sales/commissions"))
    }

    /// `GET /payments/api/v1/sales/price/details`: how each purchase's value breaks down
    /// (base, total, VAT, fee, coupon). Same status default as [`history`](Self::history).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let page = client.sales().price_details().product_id(1_234_567).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn price_details(&self) -> SalePriceDetailsRequest<'c> {
        SalePriceDetailsRequest::new(self.client.get("/payments/api/v1/sales/price/details"))
    }

    /// `PUT /payments/api/v1/sales/{transaction}/refund`: asks Hotmart to refund a sale
    /// (`APPROVED` or `COMPLETE`, within its refund window). Hotmart answers with no body.
    ///
    /// Not retried after a 5xx: whether the first attempt went through is unknown, and a
    /// second one would answer an error for a sale already refunded.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.sales().refund("HP17715690036014")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn refund(&self, transaction: &str) -> Result<(), Error> {
        let path = super::path("/payments/api/v1/sales/", transaction, "/refund");
        self.client.put(&path).send().map(drop)
    }

    /// `PUT /payments/api/v1/sales/{transaction}/billet`: sends the buyer the bank slip
    /// (boleto) of a sale waiting for payment again. Hotmart's answer, if any, is returned as
    /// it came.
    ///
    /// Not retried after a 5xx: a second attempt may e-mail the buyer a second time.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.sales().billet("HP17715690036014")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn billet(&self, transaction: &str) -> Result<miniserde::json::Value, Error> {
        let path = super::path("/payments/api/v1/sales/", transaction, "/billet");
        super::send_value(self.client.put(&path))
    }
}

paged_request! {
    /// `GET /payments/api/v1/sales/history`; made by [`Sales::history`]. Only `APPROVED` and
    /// `COMPLETE` sales unless a status or transaction is given.
    SalesHistoryRequest => Sale, empty_ok = false, call = "client.sales().history()"
}

paged_request! {
    /// `GET /payments/api/v1/sales/summary`; made by [`Sales::summary`]. Only `APPROVED` and
    /// `COMPLETE` sales unless a status or transaction is given.
    SalesSummaryRequest => SalesSummary, empty_ok = false, call = "client.sales().summary()"
}

paged_request! {
    /// `GET /payments/api/v1/sales/users`; made by [`Sales::participants`]. Only `APPROVED`
    /// and `COMPLETE` sales unless a status or transaction is given.
    SaleParticipantsRequest => SaleParticipants, empty_ok = false, call = "client.sales().participants()"
}

paged_request! {
    /// `GET /payments/api/v1/sales/commissions`; made by [`Sales::commissions`]. Only
    /// `APPROVED` and `COMPLETE` sales unless a status or transaction is given.
    SaleCommissionsRequest => SaleCommissions, empty_ok = false, call = "client.sales().commissions()"
}

paged_request! {
    /// `GET /payments/api/v1/sales/price/details`; made by [`Sales::price_details`]. Only
    /// `APPROVED` and `COMPLETE` sales unless a status or transaction is given.
    SalePriceDetailsRequest => SalePriceDetails, empty_ok = false, call = "client.sales().price_details()"
}

/// The filters every sales read takes.
macro_rules! common_sales_filters {
    ($name:ident, $call:literal) => {
        setters! {
            $name = $call {
                /// Only this product (its numeric id).
                product_id(u64 = "1_234_567") => "product_id";
                /// Only sales from this moment on (sent as epoch ms).
                start_date(SystemTime = "std::time::SystemTime::now()") => "start_date" ms;
                /// Only sales up to this moment (sent as epoch ms).
                end_date(SystemTime = "std::time::SystemTime::now()") => "end_date" ms;
                /// Only this transaction (e.g. `HP17715690036014`); lifts the status default.
                transaction(&str = "\"example\"") => "transaction";
                /// Only sales in this status; without it, only `APPROVED` and `COMPLETE`.
                transaction_status(TransactionStatus = "hotmart::models::TransactionStatus::Refunded") => "transaction_status" into;
            }
        }
    };
}

common_sales_filters!(SalesHistoryRequest, "client.sales().history()");
common_sales_filters!(SalesSummaryRequest, "client.sales().summary()");
common_sales_filters!(SaleParticipantsRequest, "client.sales().participants()");
common_sales_filters!(SaleCommissionsRequest, "client.sales().commissions()");
common_sales_filters!(SalePriceDetailsRequest, "client.sales().price_details()");

setters! {
    SalesHistoryRequest = "client.sales().history()" {
        /// Only this `src` tracking code.
        sales_source(&str = "\"example\"") => "sales_source";
        /// Only this buyer's name.
        buyer_name(&str = "\"example\"") => "buyer_name";
        /// Only this buyer's e-mail address.
        buyer_email(&str = "\"example\"") => "buyer_email";
        /// Only this payment type.
        payment_type(PaymentType = "hotmart::models::PaymentType::Pix") => "payment_type" into;
        /// Only this offer.
        offer_code(&str = "\"example\"") => "offer_code";
        /// Only sales where the account earned as this.
        commission_as(CommissionAs = "hotmart::models::CommissionAs::Affiliate") => "commission_as" into;
    }
}

setters! {
    SalesSummaryRequest = "client.sales().summary()" {
        /// Only this `src` tracking code.
        sales_source(&str = "\"example\"") => "sales_source";
        /// Only this affiliate's sales.
        affiliate_name(&str = "\"example\"") => "affiliate_name";
        /// Only this payment type.
        payment_type(PaymentType = "hotmart::models::PaymentType::Pix") => "payment_type" into;
        /// Only this offer.
        offer_code(&str = "\"example\"") => "offer_code";
    }
}

setters! {
    SaleParticipantsRequest = "client.sales().participants()" {
        /// Only this buyer's e-mail address.
        buyer_email(&str = "\"example\"") => "buyer_email";
        /// Only this buyer's name.
        buyer_name(&str = "\"example\"") => "buyer_name";
        /// Only this `src` tracking code.
        sales_source(&str = "\"example\"") => "sales_source";
        /// Only this affiliate's sales.
        affiliate_name(&str = "\"example\"") => "affiliate_name";
        /// Only sales where the account earned as this.
        commission_as(CommissionAs = "hotmart::models::CommissionAs::Affiliate") => "commission_as" into;
    }
}

setters! {
    SaleCommissionsRequest = "client.sales().commissions()" {
        /// Only sales where the account earned as this.
        commission_as(CommissionAs = "hotmart::models::CommissionAs::Affiliate") => "commission_as" into;
    }
}

setters! {
    SalePriceDetailsRequest = "client.sales().price_details()" {
        /// Only this payment type.
        payment_type(PaymentType = "hotmart::models::PaymentType::Pix") => "payment_type" into;
    }
}
