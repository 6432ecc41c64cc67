//! `/payments/api/v1/sales/…`.
//!
//! Every sales read returns only `APPROVED` and `COMPLETE` sales unless `transaction_status`
//! (or `transaction`) is given: Hotmart's default, easy to miss in a report.

use std::time::SystemTime;

use miniserde::json::Value;

use super::{Sales, paged_request, setters};
use crate::Error;
use crate::models::{CommissionAs, PaymentType, TransactionStatus};
use crate::models::{Sale, SaleCommissions, SaleParticipants, SalePriceDetails, SalesSummary};

impl<'c> Sales<'c> {
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
    #[inline]
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
    #[inline]
    pub fn summary(&self) -> SalesSummaryRequest<'c> {
        SalesSummaryRequest::new(self.client.get("/payments/api/v1/sales/summary"))
    }

    /// `GET /payments/api/v1/sales/users`: who took part in each sale (buyer, producer,
    /// affiliates, co-producers) with contact details. Same status default as
    /// [`history`](Self::history).
    #[inline]
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
    #[inline]
    pub fn commissions(&self) -> SaleCommissionsRequest<'c> {
        SaleCommissionsRequest::new(self.client.get("/payments/api/v1/sales/commissions"))
    }

    /// `GET /payments/api/v1/sales/price/details`: how each purchase's value breaks down
    /// (base, total, VAT, fee, coupon). Same status default as [`history`](Self::history).
    #[inline]
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
    #[inline]
    pub fn refund(&self, transaction: &str) -> Result<(), Error> {
        let request = self.client.put("/payments/api/v1/sales/{}/refund");
        super::send(request.segments(&[("transaction", transaction)]), &[])
    }

    /// `PUT /payments/api/v1/sales/{transaction}/billet`: sends the buyer the bank slip
    /// (boleto) of a sale waiting for payment again. Hotmart's answer, if any, is returned as
    /// it came.
    ///
    /// Not retried after a 5xx: a second attempt may e-mail the buyer a second time.
    #[inline]
    pub fn billet(&self, transaction: &str) -> Result<Value, Error> {
        let request = self.client.put("/payments/api/v1/sales/{}/billet");
        super::send(request.segments(&[("transaction", transaction)]), &[])
    }
}

paged_request! {
    /// `GET /payments/api/v1/sales/history`; made by [`Sales::history`]. Only `APPROVED` and
    /// `COMPLETE` sales unless a status or transaction is given.
    SalesHistoryRequest => Sale, empty_ok = false, call = "client.sales().history()";
    /// `GET /payments/api/v1/sales/summary`; made by [`Sales::summary`]. Only `APPROVED` and
    /// `COMPLETE` sales unless a status or transaction is given.
    SalesSummaryRequest => SalesSummary, empty_ok = false, call = "client.sales().summary()";
    /// `GET /payments/api/v1/sales/users`; made by [`Sales::participants`]. Only `APPROVED`
    /// and `COMPLETE` sales unless a status or transaction is given.
    SaleParticipantsRequest => SaleParticipants, empty_ok = false, call = "client.sales().participants()";
    /// `GET /payments/api/v1/sales/commissions`; made by [`Sales::commissions`]. Only
    /// `APPROVED` and `COMPLETE` sales unless a status or transaction is given.
    SaleCommissionsRequest => SaleCommissions, empty_ok = false, call = "client.sales().commissions()";
    /// `GET /payments/api/v1/sales/price/details`; made by [`Sales::price_details`]. Only
    /// `APPROVED` and `COMPLETE` sales unless a status or transaction is given.
    SalePriceDetailsRequest => SalePriceDetails, empty_ok = false, call = "client.sales().price_details()";
}

/// The filters every sales read takes, then those of this one.
macro_rules! sales_filters {
    ($name:ident, $call:literal { $($more:tt)* }) => {
        setters! {
            $name = $call {
                product_id(u64) = "Only this product (its numeric id).";
                start_date(SystemTime ms) = "Only sales from this moment on (sent as epoch ms).";
                end_date(SystemTime ms) = "Only sales up to this moment (sent as epoch ms).";
                transaction(&str) = "Only this transaction (e.g. `HP17715690036014`); lifts the status default.";
                transaction_status(TransactionStatus into) = "Only sales in this status; without it, only `APPROVED` and `COMPLETE`.";
                $($more)*
            }
        }
    };
}

sales_filters!(SalesHistoryRequest, "client.sales().history()" {
    sales_source(&str) = "Only this `src` tracking code.";
    buyer_name(&str) = "Only this buyer's name.";
    buyer_email(&str) = "Only this buyer's e-mail address.";
    payment_type(PaymentType into) = "Only this payment type.";
    offer_code(&str) = "Only this offer.";
    commission_as(CommissionAs into) = "Only sales where the account earned as this.";
});

sales_filters!(SalesSummaryRequest, "client.sales().summary()" {
    sales_source(&str) = "Only this `src` tracking code.";
    affiliate_name(&str) = "Only this affiliate's sales.";
    payment_type(PaymentType into) = "Only this payment type.";
    offer_code(&str) = "Only this offer.";
});

sales_filters!(SaleParticipantsRequest, "client.sales().participants()" {
    buyer_email(&str) = "Only this buyer's e-mail address.";
    buyer_name(&str) = "Only this buyer's name.";
    sales_source(&str) = "Only this `src` tracking code.";
    affiliate_name(&str) = "Only this affiliate's sales.";
    commission_as(CommissionAs into) = "Only sales where the account earned as this.";
});

sales_filters!(SaleCommissionsRequest, "client.sales().commissions()" {
    commission_as(CommissionAs into) = "Only sales where the account earned as this.";
});

sales_filters!(SalePriceDetailsRequest, "client.sales().price_details()" {
    payment_type(PaymentType into) = "Only this payment type.";
});
